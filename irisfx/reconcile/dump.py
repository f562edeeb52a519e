"""``irisfx dump FILE``: a fixture file as deterministic text, for people and for git.

Used as a git ``textconv`` driver (``git config diff.irisfx.textconv "irisfx dump"``), so that
``git diff`` of a fixture file shows rows instead of "Binary files differ". A simulator file is
read directly: each table's manifest line, then its rows in key order, one per line, up to a
limit per table (past it, a count; the manifest's digest still covers every row). An IRIS file
needs a server to read, so its manifest is printed from the pin in fixtures.toml that has its
SHA-256.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from irisfx.engines.manifest import fold, row_digest
from irisfx.engines.sim.manifest import SimReader
from irisfx.errors import UsageError
from irisfx.files.dbfile import DatabaseLabel, read_label
from irisfx.files.digest import sha256_file
from irisfx.lockfile.manifest import TableManifest
from irisfx.lockfile.project import Project
from irisfx.reconcile.diffout import show_value

DEFAULT_ROWS = 1000


def _text(value: Any) -> str:
    shown = show_value(value)
    return shown.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r") \
        .replace("\t", "\\t") if isinstance(value, str) else shown


def dump_file(path: Path, *, project: Project | None, rows: int = DEFAULT_ROWS) -> Iterator[str]:
    """The lines of ``path``'s text form."""
    try:
        label = read_label(path)
    except FileNotFoundError:
        raise UsageError(f"{path} does not exist", fix="pass the path of a fixture file") \
            from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}",
                         fix="pass the path of a fixture file you can read") from None
    if label is None and _lfs_pointer(path):
        # git hands textconv the blob, which for a git LFS file is its pointer.
        yield "# irisfx dump: a git LFS pointer (run 'git lfs pull' for the file)"
        yield from path.read_text("utf-8", "replace").splitlines()
        return
    if label is None:
        raise UsageError(f"{path} is not a database file irisfx knows (IRIS or simulator)",
                         fix="pass an IRIS.DAT that irisfx or IRIS made")
    if label.kind == "iris":
        yield from _iris_file(path, label, project)
        return
    reader = SimReader.open_file(path)
    try:
        tables = reader.tables()
        yield "# irisfx dump: simulator database (SQLite)"
        yield f"# {len(tables)} table{'s' if len(tables) != 1 else ''}"
        for table in tables:
            shown: list[str] = []
            digests = []
            for key, row in reader.keyed_rows(table):
                digests.append(row_digest(row))
                if len(shown) < rows:
                    shown.append(_row_line(table.key, [c.name for c in table.columns], key, row))
            manifest = TableManifest(len(digests), fold(digests), table.columns, table.key)
            yield ""
            yield f"table {table.name}"
            yield f"  manifest: {manifest.line()}"
            yield from shown
            if len(digests) > len(shown):
                yield (f"  … {len(digests) - len(shown):,} more rows not shown (the digest "
                       "covers them; irisfx dump --rows N shows more)")
    finally:
        reader.close()


def _lfs_pointer(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(40).startswith(b"version https://git-lfs")


def _row_line(key_names: tuple[str, ...], names: list[str], key: Any, row: tuple[Any, ...]
              ) -> str:
    if key_names:
        cells = [f"{n}={_text(v)}" for n, v in zip(names, row, strict=False)]
        return "  " + " | ".join(cells)
    return f"  %ID={key} | " + " | ".join(
        f"{n}={_text(v)}" for n, v in zip(names, row, strict=False))


def _iris_file(path: Path, label: DatabaseLabel, project: Project | None) -> Iterator[str]:
    sha256 = sha256_file(path).sha256
    yield "# irisfx dump: IRIS database (rows need a server; the manifest is from the pin)"
    yield f"# sha256 {sha256}"
    if label.directory:
        yield f"# created in {label.directory}"
    found = None
    for fixture in project.fixtures() if project is not None else []:
        if fixture.pin is not None and fixture.pin.sha256 == sha256:
            found = fixture
            break
    if found is None or found.pin is None:
        yield "# no pin in fixtures.toml has this SHA-256: no manifest to show"
        return
    pin = found.pin
    yield f"# fixture {found.name}, built by {pin.built_by} at {pin.created.isoformat()}"
    manifest = pin.manifest or {}
    if not manifest:
        for name in sorted(pin.tables):
            yield ""
            yield f"table {name}"
            yield f"  rows: {pin.tables[name]:,} (pinned before manifests)"
    for name in sorted(manifest):
        yield ""
        yield f"table {name}"
        yield f"  manifest: {manifest[name]}"



GITATTRIBUTES_LINE = "*.DAT diff=irisfx"
TEXTCONV_COMMAND = 'git config diff.irisfx.textconv "irisfx dump"'


def add_diff_driver(folder: Path) -> list[str]:
    """Route fixture files through ``irisfx dump`` in ``git diff`` (.gitattributes); returns
    what was done and the one command git needs, as lines for ``init`` to print."""
    attributes = folder / ".gitattributes"
    text = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
    done = []
    if GITATTRIBUTES_LINE not in text.splitlines():
        if text and not text.endswith("\n"):
            text += "\n"
        attributes.write_text(text + "# git diff shows fixture rows through irisfx dump\n"
                              + GITATTRIBUTES_LINE + "\n", encoding="utf-8")
        done.append(f"added '{GITATTRIBUTES_LINE}' to .gitattributes")
    done.append(f"for readable fixture diffs in git, run once: {TEXTCONV_COMMAND}")
    return done
