"""Family: forged and hostile pin-journal lines (issue 17 items 2, 6, 12).

Each case copies an applied project, maybe tampers with the fixture file, and writes a journal
of generated lines: forged pins (the tampered file's digest, wrong sizes, row counts, bases,
names), damaged JSON, NUL and non-UTF-8 bytes, huge lines. Then apply and verify run.
Property: a documented exit code, no traceback; fixtures.toml's pin is the old one or the
file's real digest and size; verify never passes a file that fixtures.toml does not pin.
"""

from __future__ import annotations

import hashlib
import json
import random
import tomllib
from pathlib import Path

import pytest

from tests.faults.harness import (
    CONFIG,
    DOCUMENTED,
    Case,
    applied_case,
    copy_case,
    problems_in_output,
    run_forked,
)

SEED = 20261203
CASES = 16
DAT = Path("fixtures/items/IRIS.DAT")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Case:
    """An applied project every case copies."""
    return applied_case(tmp_path_factory.mktemp("journal") / "template", CONFIG)


def pin_of(case: Case) -> dict[str, object]:
    """fixtures.toml's pin of 'items'."""
    return dict(tomllib.loads(case.config.read_text())["fixtures"]["items"]["pin"])


def file_digest(case: Case) -> tuple[str, int]:
    """The fixture file's real SHA-256 and size."""
    data = (case.proj / DAT).read_bytes()
    return hashlib.sha256(data).hexdigest(), len(data)


def hostile_lines(rng: random.Random, pin: dict[str, object], real: tuple[str, int]) -> bytes:
    """A journal of a few generated lines, forged and damaged."""
    lines = []
    for _ in range(rng.randint(1, 4)):
        forged = {**pin, "created": "2026-01-01T00:00:00Z"}
        forged["sha256"] = rng.choice([real[0], "ab" * 32, str(pin["sha256"])])
        forged["size"] = rng.choice([real[1], real[1] + 1, 0, 2**62])
        forged["tables"] = rng.choice([{"Shop.Item": 2}, {"Shop.Item": 999}, {}])
        entry: dict[str, object] = {"fixture": rng.choice(["items", "items", "ghost", "../x"]),
                                    "base": rng.choice([pin["sha256"], None, "0" * 64]),
                                    "pin": forged}
        if rng.random() < 0.2:
            entry["extra"] = 1
        line = json.dumps(entry).encode()
        damage = rng.random()
        if damage < 0.1:
            line = line[: rng.randint(1, len(line))]
        elif damage < 0.2:
            line = line.replace(b'"items"', b'"it\x00ems"')
        elif damage < 0.3:
            line += b"\xff\xfe"
        elif damage < 0.35:
            line = b"[" * 5000 + b"]" * 5000
        lines.append(line)
    return b"\n".join(lines) + b"\n"


def test_no_hostile_journal_becomes_a_pin_the_file_does_not_hold(
        template: Case, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    failures = []
    for n in range(CASES):
        case = copy_case(template, tmp_path / f"case-{n}")
        old = pin_of(case)
        if rng.random() < 0.7:
            path = case.proj / DAT
            data = bytearray(path.read_bytes())
            data[-1] ^= 0xFF
            path.write_bytes(bytes(data))
        real = file_digest(case)
        journal = case.proj / ".irisfx" / "pins.journal"
        journal.write_bytes(hostile_lines(rng, old, real))
        for command in (("apply", "--auto-approve"), ("verify", "--verify", "full")):
            run = run_forked(case, *command, timeout=60)
            wrong = problems_in_output(run)
            if run.code not in DOCUMENTED:
                wrong.append(f"exit {run.code}")
            now = pin_of(case)
            real = file_digest(case)
            if now["sha256"] != old["sha256"] and (now["sha256"], now["size"]) != real:
                wrong.append("a pin the file does not hold")
            if command[0] == "verify" and run.code == 0 and now["sha256"] != real[0]:
                wrong.append("verify passed a file fixtures.toml does not pin")
            if wrong:
                failures.append(f"case {n} {command[0]}: {', '.join(wrong)}\n{run.text[-300:]}")
    assert not failures, "\n".join(failures[:5])
