"""Write the example project of docs/pytest.md into a folder: every "`PATH`:" line followed by
a fenced block becomes the file PATH with that block's text. Exit 1 if none was found."""

from __future__ import annotations

import re
import sys
from pathlib import Path

NAMED_BLOCK = re.compile(r"^`([\w./-]+)`:\n\n```\w*\n(.*?)^```", re.M | re.S)


def extract(markdown: str) -> dict[str, str]:
    """PATH -> file text, for each named block."""
    return {path: body for path, body in NAMED_BLOCK.findall(markdown)}


def main(argv: list[str]) -> int:
    source, target = Path(argv[0]), Path(argv[1])
    files = extract(source.read_text(encoding="utf-8"))
    if not files:
        print(f"no named code blocks in {source}", file=sys.stderr)
        return 1
    for path, body in files.items():
        out = target / path
        if not out.resolve().is_relative_to(target.resolve()):
            print(f"{path} leaves {target}", file=sys.stderr)
            return 1
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(body, encoding="utf-8")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
