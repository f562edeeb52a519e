"""The fork server changes nothing a test sees: the same commands give the same exit codes and
output as fresh ``python -m irisfx`` processes, and irisfx reads no environment at import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import SQL_RECIPE, ProjectDir, clean_env
from tests.forkrun import Overran, Run, run_cli

IRISFX = Path(__file__).resolve().parents[2] / "irisfx"

# A first apply, a no-change plan, an error, a prompt answered on stdin, help, a read query.
COMMANDS: list[tuple[list[str], str]] = [
    (["plan"], ""), (["apply"], ""), (["plan"], ""), (["verify"], ""),
    (["sql", "items", "SELECT Name FROM Shop.Item ORDER BY ID"], ""),
    (["destroy"], "n\n"), (["plan", "--no-such-option"], ""), (["--help"], ""),
    (["plan", "--json"], ""),
]


def _twin(root: Path) -> ProjectDir:
    (root / "proj" / "recipes").mkdir(parents=True)
    (root / "proj" / "recipes" / "items.sql").write_text(SQL_RECIPE, encoding="utf-8")
    made = ProjectDir(root / "proj", clean_env(root))
    made.write_config()
    return made


def test_forked_and_fresh_runs_answer_alike(tmp_path: Path) -> None:
    forked, fresh = _twin(tmp_path / "forked"), _twin(tmp_path / "fresh")
    for args, stdin in COMMANDS:
        a = _seen(run_cli(forked.root, args, forked.env, stdin=stdin), tmp_path / "forked")
        b = _seen(run_cli(fresh.root, args, fresh.env, stdin=stdin, fresh=True),
                  tmp_path / "fresh")
        assert a == b, args


def _seen(run: Run, root: Path) -> tuple[int, str, str]:
    """What a test sees of a run, with its folder written as ROOT."""
    return run.code, run.out.replace(str(root), "ROOT"), run.err.replace(str(root), "ROOT")


def _module_level_environment_reads(tree: ast.Module) -> list[int]:
    """Lines outside any function or lambda that touch os.environ or os.getenv."""
    found: list[int] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            found.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_irisfx_reads_no_environment_at_import() -> None:
    # The server imports irisfx before the child takes the test's environment: a read at import
    # would see the server's. (A fresh process is no different for the user; this keeps it so.)
    reads = {str(path.relative_to(IRISFX)): lines for path in sorted(IRISFX.rglob("*.py"))
             if (lines := _module_level_environment_reads(ast.parse(path.read_text("utf-8"))))}
    assert reads == {}


def test_the_check_finds_a_read_at_import() -> None:
    assert _module_level_environment_reads(ast.parse("import os\nX = os.environ.get('A')\n")) \
        == [2]
    assert _module_level_environment_reads(ast.parse("import os\ndef f():\n  os.getenv('A')\n")) \
        == []


def test_a_command_past_its_timeout_is_killed_and_reported(tmp_path: Path) -> None:
    project = _twin(tmp_path)
    # No first apply finishes within a millisecond: the server kills the child and says so.
    with pytest.raises(Overran, match="irisfx apply ran over"):
        run_cli(project.root, ["apply"], project.env, timeout=0.001)
    # The server is still there for the next command.
    assert run_cli(project.root, ["--version"], project.env).code == 0
