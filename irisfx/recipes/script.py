"""Reading an IRIS SQL script into statements, each with the file line it starts on.

The same reader serves every engine, so a recipe splits the same way on the simulator and on
IRIS. It reads the shapes IRIS users write (IRIS-SQL-FACTS.md §8):

- ``;`` ends a statement, and so does ``GO`` on a line of its own (any case), the terminator of
  IRIS's own script format (``$SYSTEM.SQL.Schema.ImportDDL`` / ``ExportDDL``: "the
  end-of-statement marker must be on a line by itself"); a file of one statement needs neither;
- ``--`` and ``/* */`` comments, ``'strings'`` and ``"quoted identifiers"`` (doubled quotes);
- ObjectScript bodies, ``LANGUAGE OBJECTSCRIPT { ... }`` and ``COMPUTECODE { ... }``: balanced
  braces, with ObjectScript's own strings (``"..."``) and comments (``//``, ``;``, ``#;``,
  ``/* */``) inside, where ``'`` is the NOT operator and never opens a string; embedded
  ``&sql( ... )`` is read as SQL. ``LANGUAGE PYTHON { ... }`` bodies likewise, by Python's rules;
- ``BEGIN ... END`` bodies of SQL procedures, functions and triggers, whose inner ``;`` do not
  split (``CASE ... END`` inside them is counted; ``END IF``/``END LOOP``/``END WHILE`` close
  blocks that were never counted as opened).

A body is passed on whole, byte for byte, so IRIS receives a procedure as one statement.
Comments outside bodies are dropped. A statement keyword at the start of a line inside another
statement (a missing ``;``) is refused with both lines, since IRIS would refuse it too.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Body = Literal["objectscript", "python", "sql"]

# Words that open a statement of their own when a line starts with them; inside another
# statement they mean a ';' or GO is missing. (DROP COLUMN, ALTER COLUMN, INSERT in a trigger
# body... do not match: bodies are skipped, and the second word must name a statement.)
_STARTS = re.compile(
    r"(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:GLOBAL\s+TEMPORARY\s+)?(?:TABLE|VIEW|INDEX|UNIQUE|BITMAP"
    r"|BITSLICE|PROCEDURE|FUNCTION|METHOD|QUERY|TRIGGER|SCHEMA|USER|ROLE)"
    r"|INSERT\s+(?:INTO|OR|%)|DROP\s+(?:TABLE|VIEW|INDEX|PROCEDURE|FUNCTION|METHOD|QUERY|TRIGGER"
    r"|SCHEMA|USER|ROLE)|ALTER\s+(?:TABLE|VIEW|USER|ROLE)|TRUNCATE\s+TABLE)\b",
    re.IGNORECASE,
)
_ROUTINE = re.compile(
    r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:PROCEDURE|FUNCTION|METHOD|QUERY|TRIGGER)\b",
    re.IGNORECASE,
)
_GO_LINE = re.compile(r"[ \t]*GO[ \t]*;?[ \t]*(?:\r?\n|\r|$)", re.IGNORECASE)
_NEWLINE = re.compile(r"\r\n|\r|\n")
# Runs of characters that can start nothing: no quote, comment, terminator, brace or word.
_PLAIN = re.compile(r"(?:[^'\"\-/;{\w%\r\n]|\d)+")
_WORD = re.compile(r"(?:[^\W\d]|%)[\w%]*")
_BODY_AFTER = {"OBJECTSCRIPT": "objectscript", "COMPUTECODE": "objectscript",
               "PYTHON": "python"}
_CLOSES_UNCOUNTED = {"IF", "LOOP", "WHILE", "FOR", "REPEAT"}


@dataclass(frozen=True)
class Statement:
    """One statement of a script: its text as sent to the engine, and where it starts."""

    text: str
    line: int  # 1-based line of the file where the statement's first word stands
    body: Body | None = None  # the kind of routine body it carries, if any


class ScriptError(ValueError):
    """The script cannot be read into statements; ``line`` locates the problem."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def read_script(text: str) -> list[Statement]:
    """The statements of an IRIS SQL script, in order; ScriptError if it cannot be split."""
    return _Reader(text).statements()


def split_sql(text: str) -> list[str]:
    """The statements' texts only (for checks that need no file line)."""
    return [statement.text for statement in read_script(text)]


class _Reader:
    """One pass over the script. ``i`` is the position; ``parts`` the current statement."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
        self.i = 0
        self.found: list[Statement] = []
        self._reset()

    def _reset(self) -> None:
        self.parts: list[str] = []
        self.start_line = 0  # 0: the current statement has no word yet
        self.words = 0
        self.last_word = ""
        self.routine = False  # CREATE PROCEDURE/FUNCTION/...: BEGIN ... END may follow
        self.body: Body | None = None
        self.depth = 0  # BEGIN/CASE nesting inside a routine

    def statements(self) -> list[Statement]:
        text, n = self.text, len(self.text)
        while self.i < n:
            if self._at_line_start() and self._go_line():
                continue
            ch = text[self.i]
            if ch in "'\"":
                self._take(_end_of_quoted(text, self.i, ch))
            elif text.startswith("--", self.i):
                self.i = _end_of_line(text, self.i)
            elif text.startswith("/*", self.i):
                self.i = _end_of_block_comment(text, self.i)
                self.parts.append(" ")
            elif ch == ";" and self.depth == 0:
                self._finish()
                self.i += 1
            elif ch == "{" and self.last_word in _BODY_AFTER:
                self._read_braced_body()
            elif ch.isalpha() or ch in "_%":
                self._read_word()
            else:
                plain = _PLAIN.match(text, self.i)
                self._take(plain.end() if plain else self.i + 1)
        if self.depth:
            raise ScriptError(self.start_line, "the BEGIN ... END body of the statement that "
                              "starts here has no matching END")
        self._finish()
        return self.found

    # -- terminators ---------------------------------------------------------------------------

    def _at_line_start(self) -> bool:
        return self.i == 0 or self.text[self.i - 1] in "\r\n"

    def _go_line(self) -> bool:
        # GO is the terminator of IRIS's own format: it ends the statement whatever was open.
        match = _GO_LINE.match(self.text, self.i)
        if not match:
            return False
        self._finish()
        self.i = match.end()
        return True

    def _finish(self) -> None:
        statement = "".join(self.parts).strip()
        if statement:
            self.found.append(Statement(statement, self.start_line, self.body))
        self._reset()

    # -- words and bodies ----------------------------------------------------------------------

    def _read_word(self) -> None:
        match = _WORD.match(self.text, self.i)
        assert match is not None  # called on a letter, '_' or '%'
        word, end = match.group().upper(), match.end()
        if self.start_line == 0:
            self.start_line = self._line_at(self.i)
        elif self.depth == 0 and self.body is None and self._line_starts_with_word():
            self._refuse_a_second_statement()
        self.words += 1
        if self.words <= 6:  # "CREATE OR REPLACE PROCEDURE" is decided in the first words
            self.routine = bool(_ROUTINE.match("".join(self.parts) + " " + word))
        if self.routine:
            end = self._count_block(word, end)
        self.last_word = word
        self._take(end)

    def _refuse_a_second_statement(self) -> None:
        starts = _STARTS.match(self.text, self.i)
        if starts:
            raise ScriptError(
                self._line_at(self.i),
                f"a new statement starts here ({' '.join(starts.group().split()).upper()}), "
                f"but the statement on line {self.start_line} has no ';' or GO line before it")

    def _line_starts_with_word(self) -> bool:
        line_start = self.line_starts[self._line_at(self.i) - 1]
        return self.text[line_start:self.i].strip() == ""

    def _count_block(self, word: str, end: int) -> int:
        """Count BEGIN/CASE ... END; the position after the word (and after END's CASE)."""
        if word == "BEGIN" or (word == "CASE" and self.depth):
            self.depth += 1
            self.body = self.body or "sql"
        elif word == "END" and self.depth:
            following = _WORD.match(self.text, _skip_space(self.text, end))
            closes = following.group().upper() if following else ""
            if closes not in _CLOSES_UNCOUNTED:
                self.depth -= 1
            if closes == "CASE" and following is not None:
                return following.end()  # END CASE closes the CASE counted; CASE opens nothing
        return end

    def _read_braced_body(self) -> None:
        kind: Body = "python" if self.last_word == "PYTHON" else "objectscript"
        if self.start_line == 0:
            self.start_line = self._line_at(self.i)
        self.body = kind
        reader = _end_of_python_body if kind == "python" else _end_of_objectscript_body
        end = reader(self.text, self.i)
        if end < 0:
            raise ScriptError(self._line_at(self.i), f"the {_BODY_NAMES[kind]} body opened "
                              "here with '{' has no matching '}'")
        self.last_word = ""
        self._take(end)

    def _take(self, end: int) -> None:
        self.parts.append(self.text[self.i:end])
        self.i = end

    def _line_at(self, position: int) -> int:
        return bisect_right(self.line_starts, position)


_BODY_NAMES = {"objectscript": "ObjectScript", "python": "Python", "sql": "SQL"}


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _end_of_line(text: str, i: int) -> int:
    ends = [p for p in (text.find("\n", i), text.find("\r", i)) if p != -1]
    return min(ends) if ends else len(text)


def _end_of_block_comment(text: str, i: int) -> int:
    close = text.find("*/", i + 2)
    return len(text) if close == -1 else close + 2


def _end_of_quoted(text: str, start: int, quote: str) -> int:
    """Past the closing quote; a doubled quote is one quote character inside."""
    i = start + 1
    while i < len(text):
        if text[i] == quote:
            if text.startswith(quote * 2, i):
                i += 2
                continue
            return i + 1
        i += 1
    return len(text)


def _end_of_objectscript_body(text: str, start: int) -> int:
    """Past the '}' that closes the '{' at ``start``, by ObjectScript's rules; -1 if none."""
    return _end_of_braces(text, start, _objectscript_skip)


def _end_of_python_body(text: str, start: int) -> int:
    """Past the '}' that closes the '{' at ``start``, by Python's rules; -1 if none."""
    return _end_of_braces(text, start, _python_skip)


def _end_of_braces(text: str, start: int, skip: Callable[[str, int], int | None]) -> int:
    """Past the '}' balancing the '{' at ``start``; ``skip`` jumps over strings and comments."""
    depth, i = 0, start
    while i < len(text):
        past = skip(text, i)
        if past is not None:
            i = past
            continue
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _objectscript_skip(text: str, i: int) -> int | None:
    if text[i] == '"':
        return _end_of_quoted(text, i, '"')
    if text.startswith(("//", "#;", ";"), i):
        return _end_of_line(text, i)
    if text.startswith("/*", i):
        return _end_of_block_comment(text, i)
    if text[i:i + 5].lower() == "&sql(":
        return _end_of_embedded_sql(text, i + 5)
    return None


def _python_skip(text: str, i: int) -> int | None:
    ch = text[i]
    if ch == "#":
        return _end_of_line(text, i)
    if ch not in "'\"":
        return None
    quote = ch * 3 if text.startswith(ch * 3, i) else ch
    close = text.find(quote, i + len(quote))
    while close != -1 and len(quote) == 1 and text[close - 1] == "\\":
        close = text.find(quote, close + 1)
    return len(text) if close == -1 else close + len(quote)


def _end_of_embedded_sql(text: str, i: int) -> int:
    """Past the ')' closing ``&sql(``, whose SQL may hold strings with braces or quotes."""
    depth = 1
    while i < len(text) and depth:
        ch = text[i]
        if ch in "'\"":
            i = _end_of_quoted(text, i, ch)
            continue
        depth += (ch == "(") - (ch == ")")
        i += 1
    return i
