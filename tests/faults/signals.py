"""Signal rounds: start an apply, signal it at a random moment, then prove a plain apply heals.

A round is (scenario, signal, trigger). The scenario prepares a case and names the command to
interrupt; the trigger says when the signal lands: after a random delay within the command's
measured duration, the moment a file of the write under attack appears (the fixtures.toml temp
file of the pin write, the snapshot's temp file), or, for SIGKILL, exactly at a named
checkpoint of irisfx/files/faults.py (IRISFX_KILL_AT) where a delay is too coarse to aim with.
"""

from __future__ import annotations

import contextlib
import random
import signal
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from tests.faults.harness import (
    CONFIG,
    EXTRA,
    Case,
    copy_case,
    make_case,
    outside_snapshot,
    pins,
    problems_in_output,
    run_forked,
    stray_temp_files,
)

SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT)
KILL_AT = "IRISFX_KILL_AT"
#: How a signalled apply may end: finished before the signal (0), interrupted with the resume
#: message (130, or 143 for SIGTERM), or killed by the signal itself (during start-up, before
#: irisfx can handle it; always, for SIGKILL). A SIGINT while the interpreter itself starts
#: ends in its KeyboardInterrupt, exit 1.
EXPECTED_EXIT = {
    signal.SIGKILL: {0, -signal.SIGKILL},
    signal.SIGTERM: {0, 130, 143, -signal.SIGTERM},
    signal.SIGINT: {0, 1, 130, -signal.SIGINT},
}


@dataclass(frozen=True)
class Scenario:
    """What to prepare and which command to interrupt."""

    name: str
    prepare: Callable[[Case], None]
    args: tuple[str, ...]
    #: Files whose appearance marks the moment under attack (globs relative to the project).
    watch: tuple[str, ...]
    #: Checkpoints on this scenario's path, for exact SIGKILLs.
    checkpoints: tuple[str, ...]


def _nothing(case: Case) -> None:
    pass


def _applied(case: Case) -> None:
    run = case.irisfx("apply", "--auto-approve")
    assert run.code == 0, run.text


def _applied_then_recipe_changed(case: Case) -> None:
    _applied(case)
    recipe = case.proj / "recipes" / "items.sql"
    recipe.write_text(recipe.read_text(encoding="utf-8").replace("'pear'", "'quince'"),
                      encoding="utf-8")


def _applied_with_extra_then_removed(case: Case) -> None:
    case.config.write_text(CONFIG + EXTRA, encoding="utf-8")
    _applied(case)
    case.config.write_text(_without_extra(case.config.read_text(encoding="utf-8")),
                           encoding="utf-8")


def _without_extra(text: str) -> str:
    """fixtures.toml text without the 'extra' fixture, keeping the pins of the others."""
    doc = tomllib.loads(text)
    del doc["fixtures"]["extra"]
    return tomli_w.dumps(doc)


SCENARIOS = {
    "first-apply": Scenario(
        "first-apply", _nothing, ("apply", "--auto-approve"),
        ("sim/instance.json", "fixtures/items/*", ".fixtures.toml.*.tmp"),
        ("sim.build.created", "apply.snapshot.copied", "sim.mount.copied")),
    "rebuild": Scenario(
        "rebuild", _applied, ("apply", "--auto-approve", "--rebuild", "items"),
        ("fixtures/items/*.irisfx-new", ".fixtures.toml.*.tmp"),
        ("sim.build.filled", "apply.snapshot.copied", "apply.replace.unmounted")),
    "unmount": Scenario(
        "unmount", _applied_with_extra_then_removed, ("apply", "--auto-approve"),
        ("sim/.instance.json.*.tmp",),
        ("sim.unmount.marked", "sim.unmount.dropped", "apply.unmount.done")),
    "pin-write": Scenario(
        "pin-write", _applied_then_recipe_changed, ("apply", "--auto-approve"),
        (".fixtures.toml.*.tmp",),
        ("apply.snapshot.copied", "apply.snapshot.pinned")),
}


@dataclass
class Outcome:
    """What one round saw. ``failures`` is empty when every invariant held."""

    scenario: str
    signal: str
    trigger: str
    killed_code: int | None = None
    killed_output: str = ""
    failures: list[str] = field(default_factory=list)

    def fail(self, kind: str, detail: str) -> None:
        """Record a broken invariant."""
        self.failures.append(f"{kind}: {detail}")


_durations: dict[str, float] = {}


def measured_duration(scenario: Scenario, scratch: Path) -> float:
    """How long the command takes uninterrupted here (measured once per scenario)."""
    if scenario.name not in _durations:
        case = make_case(scratch / f"calibrate-{scenario.name}")
        scenario.prepare(case)
        started = time.monotonic()
        run = case.irisfx(*scenario.args)
        _durations[scenario.name] = time.monotonic() - started
        assert run.code == 0, run.text
    return _durations[scenario.name]


_templates: dict[str, Case] = {}


def prepared_case(scenario: Scenario, scratch: Path, root: Path) -> Case:
    """A copy of the scenario's prepared case (prepared once per scenario)."""
    if scenario.name not in _templates:
        template = make_case(scratch / f"template-{scenario.name}")
        scenario.prepare(template)
        _templates[scenario.name] = template
    return copy_case(_templates[scenario.name], root)


def _signal_when(case: Case, scenario: Scenario, sig: signal.Signals, rng: random.Random,
                 duration: float) -> tuple[str, int, str]:
    """Run the command, deliver ``sig`` at a random moment; (trigger, exit code, output)."""
    how = rng.choice(("delay", "delay", "file", "checkpoint") if sig == signal.SIGKILL
                     else ("delay", "delay", "file"))
    env: dict[str, str] = {}
    if how == "checkpoint":
        point = rng.choice(scenario.checkpoints)
        env[KILL_AT] = point
        trigger = f"checkpoint {point}"
    elif how == "file":
        pattern = rng.choice(scenario.watch)
        trigger = f"file {pattern}"
    else:
        delay = rng.uniform(0.0, duration)
        trigger = f"delay {delay:.3f}s of {duration:.3f}s"
    proc = case.popen(*scenario.args, env=env)
    started = time.monotonic()
    if how == "delay":
        with contextlib.suppress(Exception):
            proc.wait(timeout=delay)
    elif how == "file":
        while proc.poll() is None and time.monotonic() - started < 4 * duration + 5:
            if any(case.proj.glob(pattern)):
                break
            time.sleep(0.0005)
    if proc.poll() is None and how != "checkpoint":
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    return trigger, proc.returncode, out + err


def run_round(scenario: Scenario, sig: signal.Signals, seed: int, scratch: Path,
              root: Path) -> Outcome:
    """One round: prepare, signal the command, then check that a plain apply converges."""
    rng = random.Random(seed)
    duration = measured_duration(scenario, scratch)
    case = prepared_case(scenario, scratch, root)
    before_outside = outside_snapshot(case)
    pinned_before = set(pins(case))
    trigger, code, output = _signal_when(case, scenario, sig, rng, duration)
    outcome = Outcome(scenario.name, sig.name, trigger, code, output)
    if code not in EXPECTED_EXIT[sig]:
        outcome.fail("signalled-exit", f"exit {code} after {sig.name}")
    if "please report it" in output:
        outcome.fail("please-report", f"after {sig.name}: {output}")
    try:
        tomllib.loads(case.config.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
        outcome.fail("config-broken", f"fixtures.toml after the signal: {error}")
        return outcome
    lost = pinned_before - set(pins(case))
    if lost:
        outcome.fail("pin-lost", f"after the signal: {sorted(lost)}")
    check_convergence(case, outcome)
    if outside_snapshot(case) != before_outside:
        outcome.fail("wrote-outside", "the sentinel folder beside the project changed")
    return outcome


def check_convergence(case: Case, outcome: Outcome) -> None:
    """A plain apply converges; verify passes; the next apply has nothing to do."""
    pinned_before = set(pins(case))
    healed = run_forked(case, "apply", "--auto-approve")
    if healed.code != 0:
        outcome.fail("no-converge", f"apply --auto-approve exit {healed.code}: {healed.text}")
        return
    for problem in problems_in_output(healed):
        outcome.fail(problem, healed.text)
    stray = [p for p in stray_temp_files(case) if "/" not in p]
    if stray:
        outcome.fail("stray-temp", f"left in the project root: {stray}")
    lost = pinned_before - set(pins(case))
    if lost:
        outcome.fail("pin-lost", f"after the converging apply: {sorted(lost)}")
    verify = run_forked(case, "verify")
    if verify.code != 0:
        outcome.fail("verify", f"exit {verify.code}: {verify.text}")
    again = run_forked(case, "apply", "--auto-approve")
    if again.code != 0 or "No changes." not in again.out:
        outcome.fail("not-idempotent", f"second apply exit {again.code}: {again.text}")
