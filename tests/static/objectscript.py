"""Reading the helper class with InterSystems' tree-sitter grammar: calls, rules, API facts.

Shared by the static tests. Everything works on the syntax tree, not on regular expressions:
``calls`` lists every method call and property read with the class it resolves to, ``rules``
checks what ObjectScript refuses to compile (or gets wrong at run time) without a compiler.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import tree_sitter_objectscript
from tree_sitter import Language, Node, Parser, Tree

API_FILE = Path(__file__).parent / "data" / "iris-classes-2024.1.json"
LOOPS = {"command_for", "command_while", "command_dowhile", "command_for_dotted_block",
         "command_while_dotted_block", "command_dowhile_dotted"}
TRY_CATCH = {"command_trycatch", "catch_block", "command_trycatch_dotted"}


@cache
def parser() -> Parser:
    return Parser(Language(tree_sitter_objectscript.language_objectscript()))


def for_parse(text: str) -> bytes:
    """The text as sent to IRIS, with CR line ends turned into LF for the parse only: the
    grammar reports a false error on an argument-less Quit followed by CR."""
    return text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")


def parse(text: str) -> tuple[Tree, bytes]:
    source = for_parse(text)
    return parser().parse(source), source


def walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from walk(child)


def broken(tree: Tree) -> list[str]:
    """Every ERROR or MISSING node, as 'line:col type'."""
    return [f"{n.start_point[0] + 1}:{n.start_point[1] + 1} {n.type}"
            for n in walk(tree.root_node) if n.type == "ERROR" or n.is_missing]


def text_of(node: Node | None, source: bytes) -> str:
    return "" if node is None else source[node.start_byte:node.end_byte].decode("utf-8")


def child(node: Node, kind: str) -> Node | None:
    return next((c for c in node.children if c.type == kind), None)


def arg_count(args: Node | None) -> int:
    """Arguments in a method_args node: empty slots (f(a, , .b)) count."""
    if args is None:
        return 0
    inner = [c for c in args.children if c.type not in ("(", ")")]
    if not inner:
        return 0
    return sum(1 for c in inner if c.type == ",") + 1


# -- the IRIS API -----------------------------------------------------------------------------


@cache
def api() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(API_FILE.read_text(encoding="utf-8"))
    return data


def full_class_name(name: str, package: str = "") -> str:
    """%File -> %Library.File; Help inside %SYSTEM.X -> %SYSTEM.Help; otherwise as written."""
    if name in api() or "." in name:
        return name
    if name.startswith("%"):
        return f"%Library.{name[1:]}"
    return f"{package}.{name}" if package else name


def ancestry(name: str) -> list[str]:
    """The class and its superclasses that the signature table holds, nearest first."""
    seen: list[str] = []
    todo = [name]
    while todo:
        current = todo.pop(0)
        if current in seen or current not in api():
            continue
        seen.append(current)
        package = current.rsplit(".", 1)[0]
        todo.extend(full_class_name(parent, package) for parent in api()[current]["extends"])
    return seen


def find_method(cls: str, method: str) -> dict[str, Any] | None:
    for name in ancestry(cls):
        found = api()[name]["methods"].get(method)
        if found is not None:
            return dict(found)
    return None


def has_property(cls: str, prop: str) -> bool:
    return any(prop in api()[name].get("props", []) for name in ancestry(cls))


# -- the class under test ------------------------------------------------------------------------


@dataclass
class Method:
    """One method of the class being read."""

    name: str
    node: Node
    kind: str  # ClassMethod / Method
    params: list[tuple[str, str]]  # name, type ("" when untyped)
    defaults: int
    returns: str
    private: bool


@dataclass
class Call:
    """One method call or property read, resolved as far as the tree allows."""

    line: int
    cls: str  # the full class name, or "" when the receiver's class is unknown
    member: str
    kind: str  # "classmethod" (##class/$SYSTEM), "relative" (..M), "instance", "property"
    args: int
    receiver: str  # the variable or expression text, for messages
    written: str  # how the call is written, e.g. ##class(%File).Exists / $SYSTEM.Status.IsError


@dataclass
class ClassFile:
    """A parsed class: its name, methods, parameters and every call in it."""

    name: str
    source: bytes
    tree: Tree
    methods: dict[str, Method] = field(default_factory=dict)
    parameters: set[str] = field(default_factory=set)


def read_class(text: str) -> ClassFile:
    tree, source = parse(text)
    root = tree.root_node
    definition = next(n for n in walk(root) if n.type == "class_definition")
    name = text_of(child(child(definition, "class_name") or definition, "identifier"), source)
    result = ClassFile(name, source, tree)
    for node in walk(definition):
        if node.type == "parameter":
            result.parameters.add(text_of(child(node, "parameter_name") or node, source).strip())
        if node.type not in ("classmethod", "method"):
            continue
        md = child(node, "method_definition")
        if md is None:
            continue
        params: list[tuple[str, str]] = []
        defaults = 0
        arguments = child(md, "arguments")
        for arg in (arguments.children if arguments else []):
            if arg.type != "argument":
                continue
            arg_text = text_of(arg, source)
            pname = arg_text.split()[0].lstrip(".")
            ptype = arg_text.split(" As ", 1)[1].split()[0].split("=")[0] if " As " in arg_text \
                else ""
            params.append((pname, ptype))
            defaults += "=" in arg_text
        ret = child(md, "return_type")
        keywords = text_of(child(md, "method_keywords"), source)
        result.methods[text_of(child(md, "method_name"), source)] = Method(
            name=text_of(child(md, "method_name"), source),
            node=md,
            kind="ClassMethod" if node.type == "classmethod" else "Method",
            params=params,
            defaults=defaults,
            returns=text_of(child(ret, "typename"), source) if ret else "",
            private="Private" in keywords,
        )
    return result


def _types(cls: ClassFile, method: Method) -> dict[str, str]:
    """Variable -> class, from typed parameters, Catch variables and Set v = <known>."""
    found = {name: full_class_name(t) for name, t in method.params if t}
    source = cls.source
    for node in walk(method.node):
        if node.type == "catch_block":
            var = child(node, "lvn")
            if var is not None:
                found[text_of(var, source)] = "%Exception.AbstractException"
        if node.type != "set_argument":
            continue
        target, value = child(node, "set_target"), child(node, "expression")
        if target is None or value is None or child(target, "lvn") is None:
            continue
        var = text_of(child(target, "lvn"), source)
        kind = _value_class(cls, value)
        if kind:
            found[var] = kind
    return found


def _value_class(cls: ClassFile, value: Node) -> str:
    inner = value.children[0] if value.children else value
    source = cls.source
    if inner.type == "json_object_literal":
        return "%Library.DynamicObject"
    if inner.type == "json_array_literal":
        return "%Library.DynamicArray"
    if inner.type == "class_method_call":
        member = text_of(child(inner, "method_name"), source)
        if member in ("%New", "%OpenId"):
            return _class_ref(inner, source)
    if inner.type == "relative_dot_method":
        oref = child(inner, "oref_method")
        called = cls.methods.get(text_of(child(oref, "method_name") if oref else None, source))
        if called is not None and called.returns:
            return full_class_name(called.returns)
    return ""


def _class_ref(node: Node, source: bytes) -> str:
    ref = child(node, "class_ref")
    return full_class_name(text_of(child(ref, "class_name") if ref else None, source))


def calls(cls: ClassFile) -> list[Call]:
    """Every call and property read in the class's methods."""
    found: list[Call] = []
    source = cls.source
    for method in cls.methods.values():
        types = _types(cls, method)
        for node in walk(method.node):
            line = node.start_point[0] + 1
            if node.type == "class_method_call":
                ref = child(node, "class_ref")
                member = text_of(child(node, "method_name"), source)
                found.append(Call(line, _class_ref(node, source), member, "classmethod",
                                  arg_count(child(node, "method_args")), "",
                                  f"{text_of(ref, source)}.{member}"))
            elif node.type == "system_defined_function" and child(node, "class_name"):
                sub = text_of(child(node, "class_name"), source)
                member = text_of(child(node, "method_name"), source)
                found.append(Call(line, f"%SYSTEM.{sub}", member, "classmethod",
                                  arg_count(child(node, "method_args")), "",
                                  f"$SYSTEM.{sub}.{member}"))
            elif node.type == "relative_dot_method":
                oref = child(node, "oref_method")
                member = text_of(child(oref, "method_name") if oref else None, source)
                found.append(Call(line, cls.name, member, "relative",
                                  arg_count(child(oref, "method_args") if oref else None), "..",
                                  f"..{member}"))
            elif node.type in ("oref_chain_expr", "do_parameter"):
                found.extend(_chain(cls, node, types))
    return found


def _chain(cls: ClassFile, node: Node, types: dict[str, str]) -> list[Call]:
    source = cls.source
    parts = [c for c in node.children if c.type not in (".",)]
    if not parts:
        return []
    head = parts[0]
    line = node.start_point[0] + 1
    current = ""
    receiver = text_of(head, source)
    start = 1
    out: list[Call] = []
    if head.type == "class_ref":
        current = full_class_name(text_of(child(head, "class_name"), source))
        # The first segment is a class method of that class.
        first = _segment(parts[1]) if len(parts) > 1 else None
        if first is not None and first.type == "oref_method":
            member = text_of(child(first, "method_name"), source)
            out.append(Call(line, current, member, "classmethod",
                            arg_count(child(first, "method_args")), receiver,
                            f"{receiver}.{member}"))
            current = "%Library.DynamicObject" if member == "%FromJSON" else ""
            start = 2
    elif head.type == "lvn":
        current = types.get(receiver, "")
    else:
        return []
    for part in parts[start:]:
        segment = _segment(part)
        if segment is None:
            break
        if segment.type == "oref_method":
            member = text_of(child(segment, "method_name"), source)
            out.append(Call(line, current, member, "instance",
                            arg_count(child(segment, "method_args")), receiver,
                            f"{receiver}.{member}"))
        elif segment.type == "oref_property":
            member = text_of(child(segment, "property_name"), source)
            out.append(Call(line, current, member, "property", 0, receiver,
                            f"{receiver}.{member}"))
        else:
            break
        current = ""  # IRIS's signature table has no return types: stop resolving here
    return out


def _segment(part: Node) -> Node | None:
    if part.type in ("oref_method", "oref_property"):
        return part
    if part.type == "oref_chain_segment":
        return next((c for c in part.children if c.type in ("oref_method", "oref_property")),
                    None)
    return None


def api_problems(cls: ClassFile) -> list[str]:
    """Calls that do not fit the signature table (or the class's own methods)."""
    problems: list[str] = []
    for call in calls(cls):
        where = f"line {call.line}: {call.written}"
        if call.kind == "relative":
            own = cls.methods.get(call.member)
            if own is None:
                problems.append(f"{where}: {cls.name} has no method {call.member}")
            elif call.args > len(own.params):
                problems.append(f"{where}: {call.args} arguments, {call.member} takes "
                                f"{len(own.params)}")
            elif call.args < len(own.params) - own.defaults:
                problems.append(f"{where}: {call.args} arguments, {call.member} needs "
                                f"{len(own.params) - own.defaults}")
            continue
        if not call.cls:
            continue  # receiver of unknown class: reported by unresolved()
        if call.cls not in api():
            problems.append(f"{where}: class {call.cls} is not in the signature table")
            continue
        if call.kind == "property":
            if not has_property(call.cls, call.member):
                problems.append(f"{where}: {call.cls} has no property {call.member}")
            continue
        member = "%OnNew" if call.member == "%New" else call.member
        signature = find_method(call.cls, member)
        if signature is None:
            if call.member == "%New":
                continue  # %New without an %OnNew takes no arguments that matter here
            problems.append(f"{where}: {call.cls} has no method {call.member}")
            continue
        if call.kind == "classmethod" and signature["kind"] != "ClassMethod" \
                and call.member != "%New":  # %New is a class method; %OnNew says its arguments
            problems.append(f"{where}: {call.member} is an instance method of {call.cls}")
        params = signature["params"]
        if any(p["vararg"] for p in params):
            continue
        if call.args > len(params):
            problems.append(f"{where}: {call.args} arguments, {call.cls}.{call.member} takes "
                            f"{len(params)} ({', '.join(p['name'] for p in params)})")
    return problems


def unresolved(cls: ClassFile) -> list[str]:
    """Instance calls and property reads whose receiver's class could not be worked out."""
    return [f"line {c.line}: {c.written}" for c in calls(cls)
            if c.kind in ("instance", "property") and not c.cls]


# -- rules ObjectScript enforces (or that bite at run time) ----------------------------------------


def quit_with_argument_in_loop_or_try(cls: ClassFile) -> list[str]:
    """QUIT with an argument inside For/While/Do-While or Try/Catch does not compile."""
    bad = []
    for node in walk(cls.tree.root_node):
        if node.type != "command_quit" or child(node, "expression") is None:
            continue
        parent = node.parent
        while parent is not None and parent.type != "method_definition":
            if parent.type in LOOPS | TRY_CATCH:
                bad.append(f"line {node.start_point[0] + 1}: {text_of(node, cls.source)} "
                           f"inside {parent.type.removeprefix('command_')}")
                break
            parent = parent.parent
    return bad


def _statements(node: Node) -> list[Node]:
    return [c.children[0] for c in node.children if c.type == "statement" and c.children]


def _ends_with_value(statements: list[Node]) -> bool:
    if not statements:
        return False
    last = statements[-1]
    if last.type in ("command_quit", "command_return"):
        return child(last, "expression") is not None and child(last, "post_conditional") is None
    if last.type == "command_throw":
        return True
    if last.type == "command_if" and child(last, "keyword_if") is not None:
        branches = [_statements(last)] + [_statements(b) for b in last.children
                                         if b.type in ("elseif_block", "else_block")]
        has_else = any(b.type == "else_block" for b in last.children)
        return has_else and all(_ends_with_value(b) for b in branches)
    if last.type == "command_trycatch":
        catch = child(last, "catch_block")
        return (_ends_with_value(_statements(last)) and catch is not None
                and _ends_with_value(_statements(catch)))
    return False


def typed_methods_without_a_value(cls: ClassFile) -> list[str]:
    """A method declared with a return type must return a value on every path: its body ends
    with a valued Quit/Return (or Throw), and no argument-less Quit leaves it early."""
    bad = []
    for method in cls.methods.values():
        if not method.returns:
            continue
        if not _ends_with_value(_statements(method.node)):
            bad.append(f"{method.name}: does not end with a Quit/Return of a value")
        for node in walk(method.node):
            if node.type not in ("command_quit", "command_return"):
                continue
            if child(node, "expression") is not None:
                continue
            if node.type == "command_quit" and _in_loop(node):
                continue  # leaves the loop, not the method
            bad.append(f"{method.name}: line {node.start_point[0] + 1}: "
                       f"{text_of(node, cls.source)} returns no value")
    return bad


def _in_loop(node: Node) -> bool:
    parent = node.parent
    while parent is not None and parent.type != "method_definition":
        if parent.type in LOOPS:
            return True
        parent = parent.parent
    return False


def status_used_before_set(cls: ClassFile) -> list[str]:
    """%OpenId(id, , .sc): if sc is read afterwards, it must have been set before the call
    (an %OpenId that fails early may leave it undefined)."""
    bad = []
    source = cls.source
    for method in cls.methods.values():
        nodes = list(walk(method.node))
        sets = [(n.start_byte, text_of(child(n, "lvn"), source)) for n in nodes
                if n.type == "set_target" and child(n, "lvn") is not None]
        for call in nodes:
            if call.type not in ("class_method_call", "oref_method"):
                continue
            if text_of(child(call, "method_name"), source) != "%OpenId":
                continue
            args = child(call, "method_args")
            for arg in (args.children if args else []):
                byref = child(arg, "byref_arg") if arg.type == "method_arg" else None
                if byref is None:
                    continue
                var = text_of(child(byref, "lvn"), source)
                read_later = any(n.type == "lvn" and text_of(n, source) == var
                                 and n.start_byte > call.end_byte
                                 and (n.parent is None or n.parent.type != "set_target")
                                 for n in nodes)
                set_before = any(pos < call.start_byte and name == var for pos, name in sets)
                if read_later and not set_before:
                    bad.append(f"{method.name}: line {call.start_point[0] + 1}: {var} is read "
                               "after %OpenId but never set before it")
    return bad
