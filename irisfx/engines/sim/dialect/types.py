"""IRIS column types (DDL names and ``%Library`` classes) and the checks IRIS makes on them.

IRIS maps each DDL type to a class (docs: RSQL_datatype, the CPF ``[SqlSysDatatypes]`` list);
the class validates every inserted or updated value (SQLCODE -104 when it fails). The simulator
keeps the type in the SQLite declaration and the class's validation as a CHECK constraint.
"""

from __future__ import annotations

from dataclasses import dataclass

from irisfx.engines.sim.dialect.problems import SyntaxProblem
from irisfx.engines.sim.dialect.tokens import Token, string_value
from irisfx.errors import NotEmulatedError

_INT_RANGES = {
    "TINYINT": (-128, 127),
    "SMALLINT": (-32768, 32767),
    "MEDIUMINT": (-8388608, 8388607),
    "INT": (-2147483648, 2147483647),
    "INTEGER": (-2147483648, 2147483647),
    "BIGINT": (-9223372036854775808, 9223372036854775807),
}
_STRING = {"VARCHAR", "CHAR", "NVARCHAR", "NCHAR", "VARCHAR2", "NVARCHAR2", "CHARACTER",
           "SYSNAME", "VARBINARY", "BINARY"}
_STREAM = {"LONGVARCHAR", "CLOB", "TEXT", "LONGTEXT", "MEDIUMTEXT", "NTEXT", "LONG"}
_BLOB = {"BLOB", "IMAGE", "LONGVARBINARY"}
_DOUBLE = {"DOUBLE", "FLOAT", "REAL"}
_NUMERIC = {"NUMERIC", "DECIMAL", "DEC", "NUMBER", "MONEY", "SMALLMONEY"}
_PLAIN = {"DATE": "DATE", "TIME": "TIME", "TIMESTAMP": "TIMESTAMP", "TIMESTAMP2": "TIMESTAMP",
          "DATETIME": "TIMESTAMP", "DATETIME2": "TIMESTAMP", "SMALLDATETIME": "TIMESTAMP",
          "POSIXTIME": "TIMESTAMP", "UNIQUEIDENTIFIER": "VARCHAR(36)", "GUID": "VARCHAR(36)"}
# %Library classes (DDL may name them directly) and the DDL type each stands for.
_CLASSES = {
    "STRING": "VARCHAR", "INTEGER": "INTEGER", "BIGINT": "BIGINT", "SMALLINT": "SMALLINT",
    "TINYINT": "TINYINT", "NUMERIC": "NUMERIC", "DECIMAL": "NUMERIC", "DOUBLE": "DOUBLE",
    "FLOAT": "DOUBLE", "BOOLEAN": "BIT", "DATE": "DATE", "TIME": "TIME",
    "TIMESTAMP": "TIMESTAMP", "POSIXTIME": "TIMESTAMP", "DATETIME": "TIMESTAMP",
    "COUNTER": "SERIAL", "ROWVERSION": "ROWVERSION", "CURRENCY": "MONEY", "VECTOR": "VECTOR",
    "GLOBALCHARACTER": "LONGVARCHAR", "GLOBALBINARY": "LONGVARBINARY", "CHAR": "CHAR",
    "AUTOINCREMENT": "SERIAL", "BINARY": "VARBINARY", "NAME": "VARCHAR", "LIST": "LONGVARBINARY",
    "UNIQUEIDENTIFIER": "UNIQUEIDENTIFIER", "STATUS": "VARCHAR",
}
_VECTOR_TYPES = {"DOUBLE", "DECIMAL", "FLOAT", "INT", "INTEGER", "STRING", "VARCHAR",
                 "TIMESTAMP"}


@dataclass(frozen=True)
class ColumnType:
    """An IRIS column type: what SQLite declares, and what IRIS checks on a value."""

    kind: str  # string, stream, binary, integer, numeric, double, bit, date, vector, ...
    declared: str  # the SQLite declaration (its affinity matters)
    maxlen: int | None = None
    low: int | None = None
    high: int | None = None
    precision: int | None = None
    scale: int | None = None
    vector: tuple[str, int | None] | None = None
    counter: str | None = None  # SERIAL or ROWVERSION
    collation: str | None = None  # a %Library.String COLLATION parameter

    def check(self, column: str) -> str | None:
        """An SQLite expression true for the values IRIS accepts, or None (no check)."""
        c = column
        if self.kind == "string" and self.maxlen is not None:
            return f"length({c}) <= {self.maxlen}"
        if self.kind == "integer":
            return f"typeof({c}) = 'integer' AND {c} BETWEEN {self.low} AND {self.high}"
        if self.kind == "numeric":
            limit = 10 ** ((self.precision or 15) - (self.scale or 0))
            return f"typeof({c}) IN ('integer', 'real') AND abs({c}) < {limit}"
        if self.kind == "double":
            return f"typeof({c}) IN ('integer', 'real')"
        if self.kind == "bit":
            return f"{c} IN (0, 1)"
        if self.kind in ("date", "time", "timestamp"):
            return f"IRISFX_DATE_OK({c}, '{self.kind}')"
        if self.kind == "vector" and self.vector is not None:
            kind, length = self.vector
            return f"IRISFX_VECTOR_OK({c}, '{kind}', {length if length else 0})"
        return None


def parse_type(tokens: list[Token]) -> ColumnType:
    """The ColumnType of a column's type tokens (``VARCHAR(30)``, ``%Library.String(...)``)."""
    if not tokens:
        raise SyntaxProblem("a column without a type")
    words = [t.upper for t in tokens if t.kind == "word"]
    name = words[0]
    args = _arguments(tokens)
    if name.startswith("%"):
        return _class_type(tokens, args)
    if name == "LONG" and len(words) > 1 and words[1] in ("VARCHAR", "RAW"):
        name = "LONGVARCHAR" if words[1] == "VARCHAR" else "LONGVARBINARY"
    if name in ("CHARACTER", "CHAR") and len(words) > 1 and words[1] == "VARYING":
        name = "VARCHAR"
    if name == "DOUBLE" or name in _DOUBLE:
        return ColumnType("double", "DOUBLE")
    return _ddl_type(name, args)


def _ddl_type(name: str, args: dict[str, str]) -> ColumnType:
    positional = [args[k] for k in sorted(args) if k.startswith("#")]
    if name in _STRING:
        maxlen = args.get("MAXLEN") or (positional[0] if positional else "1")
        if maxlen.upper() == "MAX":
            return ColumnType("stream", "LONGVARCHAR")
        size = _number(maxlen, "a string length")
        return ColumnType("string", f"VARCHAR({size})", maxlen=size)
    if name in _STREAM:
        return ColumnType("stream", "LONGVARCHAR")
    if name in _BLOB or name == "RAW":
        return ColumnType("binary", "BLOB")
    if name in _INT_RANGES:
        low, high = _INT_RANGES[name]
        return ColumnType("integer", "BIGINT" if name == "BIGINT" else "INTEGER",
                          low=low, high=high)
    if name in _NUMERIC:
        if name in ("MONEY", "SMALLMONEY"):
            precision, scale = 19, 4
        else:
            precision = _number(positional[0], "a precision") if positional else 15
            scale = _number(positional[1], "a scale") if len(positional) > 1 else 0
        return ColumnType("numeric", f"NUMERIC({precision},{scale})",
                          precision=precision, scale=scale)
    if name in ("BIT", "BOOLEAN"):
        return ColumnType("bit", "BIT")
    if name in ("SERIAL", "ROWVERSION"):
        return ColumnType("integer", "BIGINT", low=_INT_RANGES["BIGINT"][0],
                          high=_INT_RANGES["BIGINT"][1], counter=name)
    if name == "VECTOR":
        kind = positional[0].upper() if positional else "DOUBLE"
        if kind not in _VECTOR_TYPES:
            raise SyntaxProblem(f"VECTOR of an unknown element type {kind}")
        length = _number(positional[1], "a vector length") if len(positional) > 1 else None
        kind = {"INT": "INTEGER", "VARCHAR": "STRING"}.get(kind, kind)
        return ColumnType("vector", f"VECTOR_TEXT({length or 0})", vector=(kind, length))
    if name in _PLAIN:
        declared = _PLAIN[name]
        kind = "string" if declared.startswith("VARCHAR") else declared.lower()
        return ColumnType(kind, declared, maxlen=36 if kind == "string" else None)
    raise NotEmulatedError(f"the data type {name}")


def _class_type(tokens: list[Token], args: dict[str, str]) -> ColumnType:
    """``%String(MAXLEN=30)``, ``%Library.Integer``, ``%Stream.GlobalCharacter``."""
    head = tokens[:next((i for i, t in enumerate(tokens) if t.text == "("), len(tokens))]
    dotted = "".join(t.text for t in head)
    short = dotted.rsplit(".", 1)[-1].lstrip("%").upper()
    ddl = _CLASSES.get(short)
    if ddl is None:
        raise NotEmulatedError(f"the data type {dotted}")
    if ddl == "VARCHAR":
        args.setdefault("MAXLEN", "50")  # %Library.String's own default (not VARCHAR's 1)
    if ddl == "NUMERIC":
        scale = args.get("SCALE", "0")
        args = {"#0": "18", "#1": scale}
    if ddl == "VECTOR":
        args = {"#0": args.get("DATATYPE", "DOUBLE"), "#1": args["LEN"]} if "LEN" in args \
            else {"#0": args.get("DATATYPE", "DOUBLE")}
    column = _ddl_type(ddl, args)
    collation = args.get("COLLATION")
    if collation is not None:
        column = ColumnType(**{**column.__dict__, "collation": collation.upper().lstrip("%")})
    low, high = args.get("MINVAL"), args.get("MAXVAL")
    if column.kind == "integer" and (low or high):
        column = ColumnType(**{**column.__dict__, "low": int(low or column.low or 0),
                               "high": int(high or column.high or 0)})
    return column


def _closing(tokens: list[Token], start: int) -> int:
    """The index of the ')' matching the '(' at ``start`` (the end if there is none): what
    follows it, such as a collation (``VARCHAR(64) %EXACT``), is no argument."""
    depth = 0
    for i in range(start, len(tokens)):
        depth += (tokens[i].text == "(") - (tokens[i].text == ")")
        if depth == 0:
            return i
    return len(tokens)


def _number(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SyntaxProblem(f"{what} must be a whole number, not {text!r}") from None


def _arguments(tokens: list[Token]) -> dict[str, str]:
    """The parenthesised arguments: ``#0``, ``#1``... positional; ``NAME`` for NAME=value."""
    try:
        start = next(i for i, t in enumerate(tokens) if t.text == "(")
    except StopIteration:
        return {}
    inner = tokens[start + 1:_closing(tokens, start)]
    args: dict[str, str] = {}
    position = 0
    part: list[Token] = []
    for token in [*inner, Token("op", ",")]:
        if token.text != ",":
            part.append(token)
            continue
        if len(part) >= 3 and part[1].text == "=":
            value = part[2]
            args[part[0].upper] = string_value(value) if value.kind == "string" \
                else "".join(t.text for t in part[2:])
        elif part:
            args[f"#{position}"] = "".join(t.text for t in part)
            position += 1
        part = []
    return args

