"""What a Terraform module computes, for the expressions infra/ uses, read with python-hcl2.

Enough of Terraform's language to evaluate locals, module arguments, outputs and
`aws_iam_policy_document` statements offline: references (var, local, data, path, module),
string templates, lists, objects, `for` expressions, and the functions listed in
FUNCTIONS. Anything else is an error naming what is missing, never a guess.
"""

import json
from collections.abc import Callable, Mapping
from functools import cached_property
from itertools import chain
from pathlib import Path
from typing import Any

import hcl2
from lark import Token, Tree

_OPTIONS = hcl2.SerializationOptions(
    with_comments=False, explicit_blocks=False, strip_string_quotes=True
)


def _flatten(value: list) -> list:
    return [x for item in value for x in (_flatten(item) if isinstance(item, list) else [item])]


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "concat": lambda *lists: list(chain.from_iterable(lists)),
    "flatten": _flatten,
    "values": lambda mapping: [mapping[k] for k in sorted(mapping)],  # ordered by key
    "keys": lambda mapping: sorted(mapping),
    "toset": lambda items: sorted(set(items)),  # a set of strings iterates in lexical order
    "jsondecode": json.loads,
    "file": lambda path: Path(path).read_text(),
}


class _Locals(Mapping):
    """A module's locals, each evaluated when first referenced."""

    def __init__(self, module: "Module") -> None:
        self._module = module
        self._values: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._values:
            self._values[name] = self._module.value(self._module.raw_locals[name])
        return self._values[name]

    def __iter__(self):
        return iter(self._module.raw_locals)

    def __len__(self) -> int:
        return len(self._module.raw_locals)


class Module:
    """One module directory with its inputs; `value()` evaluates anything written in it.

    `data` stands in for data sources (`{"aws_region": {"current": {"name": ...}}}`),
    `modules` for the outputs of the modules it calls, `texts` for a file's text (to show
    that a changed file changes the result).
    """

    def __init__(
        self,
        directory: Path,
        inputs: Mapping[str, Any],
        data: Mapping[str, Any] | None = None,
        modules: Mapping[str, Any] | None = None,
        texts: Mapping[str, str] | None = None,
    ) -> None:
        self.directory = directory
        texts = texts or {}
        self.documents = [
            hcl2.loads(texts.get(path.name, path.read_text()), serialization_options=_OPTIONS)
            for path in sorted(directory.glob("*.tf"))
        ]
        defaults = {
            name: body.get("default")
            for name, body in self._labelled("variable")
            if "default" in body
        }
        self.scope = {
            "var": {**defaults, **inputs},
            "local": _Locals(self),
            "data": data or {},
            "module": modules or {},
            "path": {"module": str(directory)},
        }

    def _labelled(self, kind: str) -> list[tuple[str, dict]]:
        found = []
        for document in self.documents:
            for block in document.get(kind, []):
                found.extend(block.items())
        return found

    @cached_property
    def raw_locals(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for document in self.documents:
            for block in document.get("locals", []):
                merged.update(block)
        return merged

    def output(self, name: str) -> Any:
        return self.value(dict(self._labelled("output"))[name]["value"])

    def module_argument(self, module: str, argument: str) -> Any:
        return self.value(dict(self._labelled("module"))[module][argument])

    def policy_documents(self) -> dict[str, dict[str, Any]]:
        """The module's aws_iam_policy_document data sources as written, by name."""
        return {
            name: body
            for data_type, bodies in self._labelled("data")
            if data_type == "aws_iam_policy_document"
            for name, body in bodies.items()
        }

    def policy_statements(self, document: str, each: str | None = None) -> list[dict[str, Any]]:
        """An aws_iam_policy_document's statements in IAM's JSON form; `each` is the key of
        one instance of a document written with for_each."""
        statements = self.policy_documents()[document]["statement"]
        scope = {**self.scope, "each": {"key": each, "value": each}}
        return [
            self._statement(s, scope)
            for s in ([statements] if isinstance(statements, dict) else statements)
        ]

    def _statement(self, raw: dict[str, Any], scope: Mapping[str, Any]) -> dict[str, Any]:
        def value(item: Any) -> Any:
            return self.value(item, scope)

        statement: dict[str, Any] = {"Effect": value(raw.get("effect", "Allow"))}
        if "sid" in raw:
            statement["Sid"] = value(raw["sid"])
        for key, name in (("actions", "Action"), ("resources", "Resource")):
            if key in raw:
                found = value(raw[key])
                statement[name] = found if isinstance(found, list) else [found]
        conditions = raw.get("condition", [])
        for condition in [conditions] if isinstance(conditions, dict) else conditions:
            values = value(condition["values"])
            by_key = statement.setdefault("Condition", {}).setdefault(value(condition["test"]), {})
            by_key[value(condition["variable"])] = values if isinstance(values, list) else [values]
        return statement

    # -- evaluation ----------------------------------------------------------------------------

    def value(self, raw: Any, scope: Mapping[str, Any] | None = None) -> Any:
        """The value of an attribute as python-hcl2 serializes it (strings hold expressions)."""
        if isinstance(raw, list):
            return [self.value(item, scope) for item in raw]
        if isinstance(raw, dict):
            return {key: self.value(item, scope) for key, item in raw.items()}
        if not isinstance(raw, str) or "${" not in raw:
            return raw
        if raw.startswith("${") and _closing_brace(raw, 1) == len(raw) - 1:
            return self.expression(raw[2:-1], scope)
        return self.expression(json.dumps(raw), scope)

    def expression(self, text: str, scope: Mapping[str, Any] | None = None) -> Any:
        tree = hcl2.parses_to_tree(f"x = {text}\n")
        attribute = next(tree.find_data("attribute"))
        return _evaluate(_trees(attribute)[1], scope or self.scope)


def _closing_brace(text: str, start: int) -> int:
    depth = 0
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return index
    return -1


def _trees(node: Tree) -> list[Tree]:
    return [child for child in node.children if isinstance(child, Tree)]


def _name(node: Tree) -> str:
    assert node.data == "identifier", node
    return str(node.children[0])


def _evaluate(node: Tree, scope: Mapping[str, Any]) -> Any:
    kind, children = node.data, _trees(node)
    if kind in ("expr_term", "interpolation", "arguments") and len(children) == 1:
        return _evaluate(children[0], scope)
    if kind == "identifier":
        return scope[_name(node)]
    if kind == "get_attr_expr_term":
        return _evaluate(children[0], scope)[_name(_trees(children[1])[0])]
    if kind == "index_expr_term":
        return _evaluate(children[0], scope)[_evaluate(_trees(children[1])[0], scope)]
    if kind == "int_lit":
        return int(node.children[0])
    if kind == "string":
        parts = [_evaluate(part, scope) for part in children]
        return (
            parts[0]
            if len(parts) == 1 and not isinstance(parts[0], str)
            else "".join(map(str, parts))
        )
    if kind == "string_part":
        child = node.children[0]
        return str(child) if isinstance(child, Token) else _evaluate(child, scope)
    if kind == "tuple":
        return [_evaluate(item, scope) for item in children]
    if kind == "object":
        return {
            _object_key(_trees(element)[0], scope): _evaluate(_trees(element)[1], scope)
            for element in children
        }
    if kind == "function_call":
        name = _name(children[0])
        if name not in FUNCTIONS:
            raise NotImplementedError(
                f"tests/infra/terraform_values.py lacks the function {name}()"
            )
        arguments = _trees(children[1]) if len(children) > 1 else []
        return FUNCTIONS[name](*(_evaluate(a, scope) for a in arguments))
    if kind in ("for_tuple_expr", "for_object_expr"):
        return _for(kind, children, scope)
    raise NotImplementedError(f"tests/infra/terraform_values.py cannot evaluate {kind}: {node}")


def _object_key(node: Tree, scope: Mapping[str, Any]) -> str:
    inner = _trees(node)[0]
    if inner.data == "expr_term" and _trees(inner)[0].data == "identifier":
        return _name(_trees(inner)[0])
    return _evaluate(inner, scope)


def _for(kind: str, children: list[Tree], scope: Mapping[str, Any]) -> Any:
    intro, *bodies = children
    names = [_name(c) for c in _trees(intro) if c.data == "identifier"]
    collection = _evaluate(next(c for c in _trees(intro) if c.data != "identifier"), scope)
    items = collection.items() if isinstance(collection, dict) else enumerate(collection)
    if any(body.data == "for_cond" for body in bodies):
        raise NotImplementedError("tests/infra/terraform_values.py cannot evaluate `for ... if`")
    result: Any = {} if kind == "for_object_expr" else []
    for key, item in items:
        bound = [item] if len(names) == 1 else [key, item]
        inner = {**scope, **dict(zip(names, bound, strict=True))}
        if kind == "for_object_expr":
            result[_evaluate(bodies[0], inner)] = _evaluate(bodies[1], inner)
        else:
            result.append(_evaluate(bodies[0], inner))
    return result
