"""The README's set-up commands stay true: CI runs the README's test command verbatim."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_opens_with_two_commands_main_job_then_tests() -> None:
    first, second = readme_commands()
    assert first.endswith("irisfx apply")
    assert "pytest" in second


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert readme_commands()[1] in ci


def test_the_readme_fixtures_toml_example_loads(tmp_path: Path) -> None:
    from irisfx.lockfile.project import load_project

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    example = text.split("### fixtures.toml\n\n```toml\n", 1)[1].split("```", 1)[0]
    declaration = example.split("[fixtures.entities-100.pin]", 1)[0]  # the pin is elided
    (tmp_path / "fixtures.toml").write_text(declaration, encoding="utf-8")
    project = load_project(tmp_path / "fixtures.toml")
    fixture = project.fixture("entities-100")
    assert fixture.decl.queries and fixture.decl.expect == {"RAG.Entities": 100}
