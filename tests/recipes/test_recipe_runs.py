"""Running SQL recipes: IRIS's script shapes on the simulator, bodies sent whole, messages
that name ``recipe.sql:LINE`` and never blame valid IRIS SQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from irisfx.engines import EngineSettings, open_engine
from irisfx.engines.base import Engine
from irisfx.errors import NotEmulatedError, RecipeError
from irisfx.recipes.recipe import Recipe, load_recipe, run_recipe
from tests.conftest import ProjectDir

# An IRIS DDL export's shape: statements each followed by a GO line (IRIS-SQL-FACTS.md §8.2,
# $SYSTEM.SQL.Schema.ExportDDL / ImportDDL "IRIS" mode), upper and lower case, no ';'.
DDL_EXPORT = """\
-- exported DDL
CREATE TABLE Clinic.Patient (
  PatientId INTEGER NOT NULL PRIMARY KEY,
  Name VARCHAR(60),
  Born DATE
)
GO

CREATE INDEX NameIdx ON Clinic.Patient (Name)
GO
INSERT INTO Clinic.Patient (PatientId, Name, Born) VALUES (1, 'Ann; Lee', '1980-02-03')
go
INSERT INTO Clinic.Patient (PatientId, Name, Born) VALUES (2, 'Bo', '1991-12-30')
go
"""


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Engine]:
    """A fresh simulated instance for project 'recipes'."""
    engine = open_engine(EngineSettings(url=f"sim://{tmp_path / 'sim'}", project="recipes",
                                        root=tmp_path))
    yield engine
    engine.close()


def _recipe(tmp_path: Path, text: str, name: str = "r.sql") -> Recipe:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_recipe(path, f"recipes/{name}")


def test_a_ddl_export_with_go_lines_builds_the_data_on_the_simulator(
        sim: Engine, tmp_path: Path) -> None:
    sim.build("patients", "FXSRC_PATIENTS", _recipe(tmp_path, DDL_EXPORT))
    assert sim.row_counts("FXSRC_PATIENTS") == {"Clinic.Patient": 2}
    connection = sim.connect("FXSRC_PATIENTS")
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT Name FROM Clinic.Patient WHERE PatientId = 1")
        assert cursor.fetchone()[0] == "Ann; Lee"
    finally:
        connection.close()


def test_a_failing_statement_is_named_by_its_file_line_and_nothing_is_left(
        sim: Engine, tmp_path: Path) -> None:
    recipe = _recipe(tmp_path, DDL_EXPORT + "INSERT INTO Clinic.Nope (A) VALUES (1)\nGO\n")
    with pytest.raises(RecipeError) as info:
        sim.build("patients", "FXSRC_PATIENTS", recipe)
    assert info.value.message.startswith("recipes/r.sql:15: the statement failed: ")
    assert "FXSRC_PATIENTS" not in sim.inventory().namespaces


def test_a_script_that_cannot_be_split_names_its_line(sim: Engine, tmp_path: Path) -> None:
    recipe = _recipe(tmp_path, "CREATE TABLE Demo.T (A INT)\nINSERT INTO Demo.T VALUES (1);")
    with pytest.raises(RecipeError) as info:
        sim.build("demo", "FXSRC_DEMO", recipe)
    assert info.value.message.startswith("recipes/r.sql:2: a new statement starts here")
    assert "FXSRC_DEMO" not in sim.inventory().namespaces


class _Recording:
    """A DB-API connection that keeps what it was sent: how a driver sees the runner's calls.

    It stands in for the engine's connection, not for the code under test (the runner), and
    refuses statements the way an engine that lacks a construct does.
    """

    def __init__(self, refuse: str = "") -> None:
        self.sent: list[str] = []
        self.refuse = refuse
        self.committed = self.rolled_back = False

    def cursor(self) -> _Recording:
        return self

    def execute(self, operation: str, parameters: Sequence[Any] = ()) -> None:
        if self.refuse and self.refuse in operation:
            raise NotEmulatedError("CREATE PROCEDURE ... LANGUAGE OBJECTSCRIPT")
        self.sent.append(operation)

    def commit(self) -> None:
        self.committed = True

    def rollback(self) -> None:
        self.rolled_back = True

    def close(self) -> None:
        """Nothing to release."""


PROCEDURES = """\
CREATE TABLE Demo.T (A INTEGER)
GO
CREATE FUNCTION Demo.Twice(IN x INTEGER) RETURNS INTEGER
LANGUAGE OBJECTSCRIPT
{
  if x '= 0 { quit x * 2 }  ; '= is "not equal"
  quit 0
}
GO
CREATE PROCEDURE Demo.Fill(IN n INTEGER)
BEGIN
  DECLARE i INTEGER;
  SET i = 0;
  WHILE i < n DO INSERT INTO Demo.T (A) VALUES (i); SET i = i + 1; END WHILE;
END
GO
"""


def test_procedures_and_functions_reach_the_engine_whole_and_go_never_does(
        tmp_path: Path) -> None:
    connection = _Recording()
    run_recipe(_recipe(tmp_path, PROCEDURES), connection)
    assert len(connection.sent) == 3
    assert connection.sent[1].startswith("CREATE FUNCTION Demo.Twice")
    assert connection.sent[1].endswith("quit 0\n}")
    assert connection.sent[2].endswith("END WHILE;\nEND")
    assert not any(line.strip().upper() == "GO" for s in connection.sent
                   for line in s.splitlines())
    assert connection.committed


def test_what_the_simulator_does_not_emulate_is_named_with_its_line_not_blamed(
        tmp_path: Path) -> None:
    connection = _Recording(refuse="LANGUAGE OBJECTSCRIPT")
    with pytest.raises(RecipeError) as info:
        run_recipe(_recipe(tmp_path, PROCEDURES), connection)
    error = info.value
    assert error.message == (
        "recipes/r.sql:3: the simulator does not emulate CREATE PROCEDURE ... LANGUAGE "
        "OBJECTSCRIPT; build this fixture against IRIS (docs/iris.md)")
    assert "correct" not in (error.fix or "")
    assert connection.rolled_back and not connection.committed


def test_a_missing_recipe_names_the_fixture_and_the_line_that_declares_it(
        project: ProjectDir) -> None:
    (project.root / "recipes" / "items.sql").unlink()
    run = project.irisfx("plan")
    assert run.code == 1, run.text
    assert "recipe recipes/items.sql does not exist" in run.err
    assert "declared at fixtures.toml:7: fixture 'items'" in run.err
    assert "Traceback" not in run.err
