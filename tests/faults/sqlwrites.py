"""Generated write attempts for ``irisfx sql`` and known ``queries``: every kind of change,
dressed in the tricks that fool a reading of the text (comments ended by a carriage return,
brackets, quotes, Unicode case folding, ``SELECT ... INTO``, ``ATTACH``)."""

from __future__ import annotations

import random
from pathlib import Path

WRITES = (
    "DELETE FROM Shop.Item",
    "UPDATE Shop.Item SET Name = 'x'",
    "INSERT INTO Shop.Item (ID, Name) VALUES (77, 'x')",
    "REPLACE INTO Shop.Item (ID, Name) VALUES (1, 'x')",
    "DROP TABLE Shop.Item",
    "CREATE TABLE Shop.Made (ID INTEGER)",
    "CREATE TEMP TABLE made (x INTEGER)",
    "CREATE INDEX made ON Shop.Item (Name)",
    "ALTER TABLE Shop.Item ADD COLUMN Made INTEGER",
    "SELECT * INTO Shop.Made FROM Shop.Item",
    "PRAGMA query_only = 0",
    "PRAGMA user_version = 9",
    "VACUUM",
    "WITH w AS (SELECT 1) DELETE FROM Shop.Item",
    "ATTACH DATABASE '{victim}' AS v",
    "ATTACH DATABASE 'file:{victim}?mode=rw' AS v",
)

#: Ways to dress a write so that a lexical check might take it for a read.
DISGUISES = (
    "{w}",
    "SELECT 1 --\r{w}",
    "SELECT 1 /* */; {w}",
    "SELECT [']' FROM Shop.Item; {w}",
    "SELECT ''';' FROM Shop.Item; {w}",
    "WITH x AS (SELECT 1) {w}",
    "select 1;\n{w}",
    "\t{w}\r",
)


def fold_trick(statement: str, rng: random.Random) -> str:
    """Random case, and some i/I turned into a dotless i (U+0131), which upper-cases to I."""
    out = []
    for char in statement:
        if char in "iI" and rng.random() < 0.5:
            out.append("\u0131")
        elif char.isalpha() and rng.random() < 0.3:
            out.append(char.swapcase())
        else:
            out.append(char)
    return "".join(out)


def statements(seed: int, count: int, victim: Path) -> list[str]:
    """``count`` write attempts, the same for the same seed; every write appears."""
    rng = random.Random(seed)
    made = []
    for n in range(count):
        write = WRITES[n % len(WRITES)].format(victim=victim)
        dressed = rng.choice(DISGUISES).format(w=write)
        made.append(fold_trick(dressed, rng) if rng.random() < 0.5 else dressed)
    return made
