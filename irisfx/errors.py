"""Error types people see, and the one place that maps them to exit codes.

Every error irisfx raises for a user-facing reason carries what went wrong, the details that
locate it, and how to fix it. The CLI prints them; only ``--debug`` shows a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum


class ExitCode(IntEnum):
    """The documented exit codes (README, DESIGN.md)."""

    OK = 0
    USAGE = 1
    CHANGES = 2
    INTEGRITY = 3
    ENGINE = 4
    APPLY_FAILED = 5
    INTERRUPTED = 130


class IrisfxError(Exception):
    """Base of every error irisfx reports to a person."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(
        self, message: str, *, details: Sequence[str] = (), fix: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details)
        self.fix = fix

    def render(self) -> str:
        """The error as the lines a person reads: message, details, fix."""
        lines = [f"error: {self.message}"]
        lines += [f"  {line}" for line in self.details]
        if self.fix:
            fix_lines = self.fix.splitlines()
            lines.append(f"  fix: {fix_lines[0]}")
            lines += [f"       {line}" for line in fix_lines[1:]]
        return "\n".join(lines)


class ConfigError(IrisfxError):
    """fixtures.toml is missing, malformed or inconsistent."""


class UsageError(IrisfxError):
    """The command line asks for something that cannot be done."""


class ConflictError(IrisfxError):
    """The declaration cannot be carried out on this instance (e.g. a namespace owned by others)."""


class LockedError(IrisfxError):
    """Another irisfx process holds the project lock."""


class StalePlanError(IrisfxError):
    """A saved plan no longer matches fixtures.toml or the instance."""


class RecipeError(IrisfxError):
    """A recipe could not be read or failed while it ran."""


class NotEmulatedError(Exception):
    """The simulator met valid IRIS SQL it does not emulate; it ran nothing of the statement.

    ``construct`` names what it lacks (``CREATE PROCEDURE ... LANGUAGE OBJECTSCRIPT``); the
    recipe runner turns it into ``recipes/x.sql:LINE: the simulator does not emulate ...``.
    """

    def __init__(self, construct: str) -> None:
        super().__init__(f"the simulator does not emulate {construct}")
        self.construct = construct


class IntegrityError(IrisfxError):
    """A file does not match its pin, or bytes changed in transit."""

    exit_code = ExitCode.INTEGRITY


class EngineError(IrisfxError):
    """The engine (IRIS or the simulator) cannot be reached or refused an operation."""

    exit_code = ExitCode.ENGINE


class StoreError(IrisfxError):
    """The fixture store cannot be reached, refuses the credentials, or has no such bucket."""

    exit_code = ExitCode.ENGINE


class ApplyFailed(IrisfxError):
    """An apply stopped part-way; what finished is recorded and the next apply resumes."""

    exit_code = ExitCode.APPLY_FAILED


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code for any exception that reaches the command line."""
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(error, IrisfxError):
        return error.exit_code
    return ExitCode.USAGE
