"""`irisfx diff` of two 100,000-row simulator fixtures, as a whole process (issue 21).

The two files differ the way a recipe change makes them: 1% of rows changed, 500 added, 500
removed, one column dropped. Rows: the diff in text and in JSON (goal < 2 s each), beside a
reference in the same round: a bare Python process that only reads every row of both files
with sqlite3 (the floor of any diff written in Python). Median of --rounds rounds.
Run: python benchmarks/bench_diff.py [--rows 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

from common import Row, irisfx_command, median, print_table, run, scratch

READ_BOTH = """
import sqlite3, sys
for path in sys.argv[1:]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    for row in db.execute('SELECT * FROM "RAG.Entities" ORDER BY ID'):
        pass
"""


def make_pair(root: Path, rows: int) -> tuple[Path, Path]:
    """Two simulator files of ``rows`` rows with the differences the docstring lists."""
    old, new = root / "old.DAT", root / "new.DAT"
    with closing(sqlite3.connect(old)) as db:
        db.execute('CREATE TABLE "RAG.Entities" (ID INTEGER PRIMARY KEY, Name VARCHAR(100), '
                   "Kind VARCHAR(20), Summary VARCHAR(500), Score DOUBLE)")
        db.executemany('INSERT INTO "RAG.Entities" VALUES (?, ?, ?, ?, ?)',
                       ((i, f"Entity {i}", ("person", "place", "concept")[i % 3],
                         f"A summary of entity {i}", i / 7) for i in range(1, rows + 1)))
        db.commit()
    with closing(sqlite3.connect(new)) as db:
        db.execute('CREATE TABLE "RAG.Entities" (ID INTEGER PRIMARY KEY, Name VARCHAR(100), '
                   "Kind VARCHAR(20), Score DOUBLE)")
        db.executemany('INSERT INTO "RAG.Entities" VALUES (?, ?, ?, ?)',
                       ((i, f"Entity {i}" + (" (renamed)" if i % 100 == 0 else ""),
                         ("person", "place", "concept")[i % 3], i / 7)
                        for i in range(501, rows + 501)))
        db.commit()
    return old, new


def measure(rows: int, rounds: int) -> list[Row]:
    """The text and JSON diff rows."""
    root = scratch()
    try:
        old, new = make_pair(root, rows)
        texts, jsons, reads = [], [], []
        for _ in range(rounds):
            reads.append(run([sys.executable, "-c", READ_BOTH, str(old), str(new)]).seconds)
            texts.append(run([*irisfx_command(), "diff", "--from-file", str(old),
                              "--to-file", str(new)], cwd=root).seconds)
            jsons.append(run([*irisfx_command(), "diff", "--json", "--from-file", str(old),
                              "--to-file", str(new)], cwd=root).seconds)
        floor = f"reading both files in Python: {median(reads):.2f} s"
        return [
            Row(f"`diff` of two {rows:,}-row fixtures (sim), text", f"{median(texts):.2f} s",
                floor, "< 2 s", median(texts) < 2.0),
            Row("same, --json", f"{median(jsons):.2f} s", floor, "< 2 s",
                median(jsons) < 2.0),
        ]
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print_table(measure(args.rows, args.rounds))


if __name__ == "__main__":
    main()
