"""Queries and DML on the simulator: parsed by sqlglot, given IRIS's meaning, written for SQLite.

What IRIS does that SQLite would not (docs cited in docs/recipes.md): the RowID is hidden from
``SELECT *`` (GSQL_tables_idfield); DISTINCT and GROUP BY return SQLUPPER values in upper case
(GSQL_collation_query); ``%EXACT`` makes LIKE case-sensitive; an IDENTITY or RowID value cannot
be inserted (SQLCODE -111, RSQL_createtable_idfield); NUMERIC(p,s) is rounded to its scale and
comes back exact (%Library.Numeric); INSERT OR UPDATE updates the row a unique key matches
(RSQL_insertorupdate).
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import sqlglot
import sqlglot.errors
from sqlglot import exp

from irisfx.engines.sim.dialect.catalog import Catalog, Column, Table, qualified, quote
from irisfx.engines.sim.dialect.problems import SyntaxProblem
from irisfx.engines.sim.dialect.result import Translation
from irisfx.errors import NotEmulatedError

# sqlglot logs a warning when it falls back to an unparsed "Command"; the simulator refuses
# those statements itself, and must not print anything.
logging.getLogger("sqlglot").setLevel(logging.CRITICAL)

_ACCEPTED = (exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Insert, exp.Update,
             exp.Delete, exp.Create, exp.Drop, exp.Transaction, exp.Commit, exp.Rollback)


def parse(text: str) -> exp.Expression:
    """One statement's tree: sqlglot's own SQL first, T-SQL (for SELECT TOP n) second."""
    try:
        trees = sqlglot.parse(text)
    except sqlglot.errors.ParseError:
        try:
            trees = sqlglot.parse(text, read="tsql")
        except sqlglot.errors.ParseError as exc:
            first = exc.errors[0] if exc.errors else {}
            near = first.get("highlight") or ""
            raise NotEmulatedError(f"the SQL near {near!r} (line {first.get('line')}, "
                                   f"column {first.get('col')})") from None
    statements = [tree for tree in trees if tree is not None]
    if len(statements) != 1:
        raise SyntaxProblem("more than one statement (or none) in one recipe statement")
    tree = statements[0]
    if not isinstance(tree, _ACCEPTED):
        raise NotEmulatedError(" ".join(text.split()[:2]).upper())
    return tree


def translate_tree(text: str, catalog: Catalog, *, upsert: bool = False) -> Translation:
    """The SQLite statement for one IRIS query or DML statement (already token-rewritten)."""
    tree = parse(text)
    _rename_tables(tree)
    _collations(tree, catalog)
    _string_casts(tree)
    _concatenations(tree)
    for select in list(tree.find_all(exp.Select)):
        _expand_stars(select, catalog)
        _grouped_upper(select, catalog)
    if isinstance(tree, exp.Insert):
        _insert(tree, catalog)
    elif isinstance(tree, exp.Update):
        _update(tree, catalog)
    try:
        sql = tree.sql(dialect="sqlite", unsupported_level=sqlglot.errors.ErrorLevel.RAISE)
    except sqlglot.errors.UnsupportedError as exc:
        raise NotEmulatedError(f"this statement on SQLite ({exc})") from None
    if upsert:
        sql += _upsert_clause(tree, catalog)
    scales = _scales(tree, catalog) if isinstance(tree, exp.Select) else ()
    table, _ = _target(tree, catalog) if upsert else (None, [])
    return Translation((sql,), scales=scales,
                       upsert_table=table.name if table is not None else None)


def _rename_tables(tree: exp.Expression) -> None:
    """``RAG.Entities`` -> ``"RAG.Entities"``; unqualified names live in SQLUser."""
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    for table in list(tree.find_all(exp.Table)):
        name = table.name
        if not name or name.lower() in cte_names or name.lower().startswith("sqlite_"):
            continue
        full = qualified(f"{table.db}.{name}" if table.db else name)
        table.set("db", None)
        table.set("catalog", None)
        table.set("this", exp.to_identifier(full, quoted=True))


def _scope(select: exp.Select, catalog: Catalog) -> dict[str, Table]:
    """The catalog tables a SELECT reads directly, by alias (or name)."""
    sources: dict[str, Table] = {}
    nodes: list[Any] = []
    source = select.args.get("from_") or select.args.get("from")
    if source is not None:
        nodes.append(source.this)
    nodes += [join.this for join in select.args.get("joins") or []]
    for node in nodes:
        if isinstance(node, exp.Table):
            table = catalog.table(node.name)
            if table is not None:
                sources[(node.alias or node.name).lower()] = table
                sources.setdefault(table.name.rsplit(".", 1)[-1].lower(), table)
    return sources


def _resolve(column: exp.Column, scope: dict[str, Table]) -> Column | None:
    if column.table:
        table = scope.get(column.table.lower())
        return table.column(column.name) if table else None
    for table in scope.values():
        found = table.column(column.name)
        if found is not None:
            return found
    return None


def _scope_of(node: exp.Expression, catalog: Catalog) -> dict[str, Table]:
    select = node.find_ancestor(exp.Select)
    if select is not None:
        return _scope(select, catalog)
    statement = node.find_ancestor(exp.Update, exp.Delete)
    if statement is not None and isinstance(statement.this, exp.Table):
        table = catalog.table(statement.this.name)
        return {statement.this.name.lower(): table} if table else {}
    return {}


def _collations(tree: exp.Expression, catalog: Catalog) -> None:
    """%EXACT -> COLLATE BINARY (LIKE too), and %STARTSWITH with the operand's collation."""
    for call in list(tree.find_all(exp.Anonymous)):
        name = str(call.this).upper()
        if name == "IRISFX_EXACT" and len(call.expressions) == 1:
            call.replace(exp.Collate(this=call.expressions[0], expression=exp.Var(this="BINARY")))
    for like in list(tree.find_all(exp.Like)):
        operand = like.this
        if _exact_like(operand, _scope_of(like, catalog)):
            inner = operand.this if isinstance(operand, exp.Collate) else operand
            args = [like.expression, inner]
            parent = like.parent
            if isinstance(parent, exp.Escape):
                parent.replace(exp.Anonymous(this="IRISFX_LIKE_EXACT",
                                             expressions=[*args, parent.expression]))
            else:
                like.replace(exp.Anonymous(this="IRISFX_LIKE_EXACT", expressions=args))
    for call in list(tree.find_all(exp.Anonymous)):
        if str(call.this).upper() != "IRISFX_STARTSWITH" or len(call.expressions) != 2:
            continue
        operand = call.expressions[0]
        insensitive = False
        if isinstance(operand, exp.Column):
            column = _resolve(operand, _scope_of(call, catalog))
            insensitive = column is not None and column.case_insensitive
        call.set("this", "IRISFX_STARTS_UPPER" if insensitive else "IRISFX_STARTS_EXACT")


_STRING_CASTS = {exp.DataType.Type.VARCHAR: 30, exp.DataType.Type.NVARCHAR: 30,
                 exp.DataType.Type.CHAR: 1, exp.DataType.Type.NCHAR: 1}


def _string_casts(tree: exp.Expression) -> None:
    """RSQL_cast: CAST(x AS VARCHAR(n)) keeps the first n characters (VARCHAR: 30, CHAR: 1).
    LEFT/RIGHT become SUBSTR (LEFT is a keyword to SQLite)."""
    for left in list(tree.find_all(exp.Left)):
        left.replace(exp.Substring(this=left.this.copy(), start=exp.Literal.number(1),
                                   length=left.expression.copy()))
    for right in list(tree.find_all(exp.Right)):
        right.replace(exp.Substring(this=right.this.copy(),
                                    start=exp.Neg(this=right.expression.copy())))
    for cast in list(tree.find_all(exp.Cast)):
        kind = cast.to.this if isinstance(cast.to, exp.DataType) else None
        if kind not in _STRING_CASTS:
            continue
        sizes = cast.to.expressions
        size = int(sizes[0].name) if sizes and sizes[0].name.isdigit() else _STRING_CASTS[kind]
        text = exp.Cast(this=cast.this.copy(), to=exp.DataType.build("TEXT"))
        cast.replace(exp.Substring(this=text, start=exp.Literal.number(1),
                                   length=exp.Literal.number(size)))


def _concatenations(tree: exp.Expression) -> None:
    """RSQL_concat: ``a || b`` writes numbers in canonical form ('x' || 1.50 is 'x1.5')."""
    for pipe in reversed(list(tree.find_all(exp.DPipe, exp.Concat))):
        parts = [pipe.this, pipe.expression] if isinstance(pipe, exp.DPipe) \
            else list(pipe.expressions)
        joined = parts[0].copy()
        for part in parts[1:]:
            joined = exp.Anonymous(this="IRISFX_CONCAT", expressions=[joined, part.copy()])
        pipe.replace(joined)


def _exact_like(operand: exp.Expression, scope: dict[str, Table]) -> bool:
    """Whether LIKE is case-sensitive: on %EXACT, a SQLSTRING/EXACT column, or an expression
    (GSQL_collation: "a string expression ... makes its result collation EXACT")."""
    if isinstance(operand, exp.Collate):
        return str(operand.expression).upper() == "BINARY"
    if isinstance(operand, exp.Column):
        column = _resolve(operand, scope)
        return column is not None and column.collation is not None and \
            not column.case_insensitive
    return not isinstance(operand, (exp.Paren, exp.Subquery))


def _expand_stars(select: exp.Select, catalog: Catalog) -> None:
    """``SELECT *`` without the hidden RowID (GSQL_tables_idfield), its columns known."""
    if not any(isinstance(item, exp.Star) or (
            isinstance(item, exp.Column) and isinstance(item.this, exp.Star))
            for item in select.expressions):
        return
    projections: list[exp.Expression] = []
    source = select.args.get("from_") or select.args.get("from")
    nodes = ([source.this] if source is not None else []) + [
        j.this for j in select.args.get("joins") or []]
    for item in select.expressions:
        if isinstance(item, exp.Star):
            if not all(isinstance(n, exp.Table) and catalog.table(n.name) for n in nodes):
                return  # a subquery's columns are not known here: leave the star
            for node in nodes:
                projections += _columns_of(node, catalog, qualify=len(nodes) > 1)
        elif isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
            node = next((n for n in nodes if isinstance(n, exp.Table)
                         and (n.alias or n.name).lower() == item.table.lower()), None)
            if node is None or catalog.table(node.name) is None:
                return
            projections += _columns_of(node, catalog, qualify=True)
        else:
            projections.append(item)
    select.set("expressions", projections)


def _columns_of(node: exp.Table, catalog: Catalog, *, qualify: bool) -> list[exp.Expression]:
    table = catalog.table(node.name)
    assert table is not None
    alias = node.alias or None
    prefix = exp.to_identifier(alias or node.name, quoted=True) if qualify else None
    return [exp.Column(this=exp.to_identifier(c.name, quoted=True), table=prefix)
            for c in table.visible]


def _grouped_upper(select: exp.Select, catalog: Catalog) -> None:
    """DISTINCT / GROUP BY on a SQLUPPER column return it in upper case."""
    group = select.args.get("group")
    grouped = {e.name.lower() for e in (group.expressions if group else [])
               if isinstance(e, exp.Column)}
    distinct = select.args.get("distinct") is not None
    if not distinct and not grouped:
        return
    scope = _scope(select, catalog)
    items = []
    for item in select.expressions:
        inner = item.this if isinstance(item, exp.Alias) else item
        if isinstance(inner, exp.Column) and not isinstance(inner.this, exp.Star) and (
                distinct or inner.name.lower() in grouped):
            column = _resolve(inner, scope)
            if column is not None and column.case_insensitive:
                alias = item.alias if isinstance(item, exp.Alias) else column.name
                wrapped = exp.Anonymous(this="IRISFX_GROUPED", expressions=[inner.copy()])
                item = exp.alias_(wrapped, exp.to_identifier(alias, quoted=True))
        items.append(item)
    select.set("expressions", items)


def _target(statement: exp.Expression, catalog: Catalog) -> tuple[Table | None, list[str]]:
    this = statement.this
    listed: list[str] = []
    if isinstance(this, exp.Schema):
        listed = [e.name for e in this.expressions]
        this = this.this
    return (catalog.table(this.name) if isinstance(this, exp.Table) else None), listed


def _refuse_row_ids(table: Table, names: list[str], verb: str) -> None:
    for name in names:
        column = table.column(name)
        if column is not None and column.role in ("rowid", "publicrowid", "identity"):
            code = "-111" if verb == "INSERT" else "-107"
            raise sqlite3.IntegrityError(
                f"SQLCODE {code}: cannot {verb} a value of the RowID/IDENTITY column "
                f"{table.name}.{column.name} (IRIS numbers it)")


def _insert(tree: exp.Insert, catalog: Catalog) -> None:
    table, listed = _target(tree, catalog)
    if table is None:
        return
    if not listed and isinstance(tree.expression, (exp.Values, exp.Select)) and any(
            c.hidden or c.role == "identity" for c in table.columns):
        listed = [c.name for c in table.visible if c.role not in ("identity", "publicrowid")]
        schema = exp.Schema(this=tree.this, expressions=[
            exp.to_identifier(n, quoted=True) for n in listed])
        tree.set("this", schema)
    _refuse_row_ids(table, listed, "INSERT")
    scales = [(i, table.column(n)) for i, n in enumerate(listed)]
    rounded = [(i, c.round_to) for i, c in scales if c is not None and c.round_to is not None]
    if not rounded:
        return
    source = tree.expression
    rows = source.expressions if isinstance(source, exp.Values) else \
        [source] if isinstance(source, exp.Select) else []
    for row in rows:
        values = list(row.expressions)
        for position, scale in rounded:
            if position < len(values) and not isinstance(values[position], exp.Star):
                values[position] = _round(values[position], scale)
        row.set("expressions", values)


def _round(value: exp.Expression, scale: int) -> exp.Expression:
    inner = value.this if isinstance(value, exp.Alias) else value
    call = exp.Anonymous(this="IRISFX_ROUND",
                         expressions=[inner.copy(), exp.Literal.number(scale)])
    if isinstance(value, exp.Alias):
        return exp.Alias(this=call, alias=exp.to_identifier(value.alias))
    return call


def _update(tree: exp.Update, catalog: Catalog) -> None:
    this = tree.this
    table = catalog.table(this.name) if isinstance(this, exp.Table) else None
    if table is None:
        return
    sets = [e for e in tree.expressions if isinstance(e, exp.EQ)]
    _refuse_row_ids(table, [e.this.name for e in sets], "UPDATE")
    for assignment in sets:
        column = table.column(assignment.this.name)
        if column is not None and column.round_to is not None:
            assignment.set("expression", _round(assignment.expression, column.round_to))


def _upsert_clause(tree: exp.Expression, catalog: Catalog) -> str:
    """INSERT OR UPDATE: a row that collides on a unique key is updated in place."""
    if not isinstance(tree, exp.Insert) or not isinstance(tree.expression, exp.Values):
        raise NotEmulatedError("INSERT OR UPDATE ... SELECT")
    table, listed = _target(tree, catalog)
    if table is None or not listed:
        raise NotEmulatedError("INSERT OR UPDATE without a column list")
    sets = ", ".join(f"{quote(n)} = excluded.{quote(n)}" for n in listed)
    return f" ON CONFLICT DO UPDATE SET {sets}"


def _scales(select: exp.Select, catalog: Catalog) -> tuple[int | None, ...]:
    scope = _scope(select, catalog)
    scales: list[int | None] = []
    for item in select.expressions:
        inner = item.this if isinstance(item, exp.Alias) else item
        column = _resolve(inner, scope) if isinstance(inner, exp.Column) else None
        scales.append(column.scale if column is not None else None)
    return tuple(scales) if any(s is not None for s in scales) else ()
