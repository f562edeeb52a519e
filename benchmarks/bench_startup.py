"""`irisfx --version` start-up time: goal < 0.2 s. Beside it, a bare `python -c pass`.

Run: python benchmarks/bench_startup.py
"""

from __future__ import annotations

import subprocess
import sys

from common import best_of


def main() -> None:
    version = best_of(10, lambda: subprocess.run([sys.executable, "-m", "irisfx", "--version"],
                                                 check=True, capture_output=True))
    bare = best_of(10, lambda: subprocess.run([sys.executable, "-c", "pass"], check=True,
                                              capture_output=True))
    print("start-up, best of 10")
    print(f"  irisfx --version  {version * 1000:6.0f} ms   (goal < 200 ms)")
    print(f"  python -c pass    {bare * 1000:6.0f} ms   (reference: the interpreter alone)")


if __name__ == "__main__":
    main()
