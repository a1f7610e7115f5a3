"""Property tests: random SimpleSchema trees always convert to a structurally valid OpenAPI schema,
and arbitrary field strings never crash the converter.

The checker below is deliberately independent of :mod:`kro.schema.values`: it re-states, in a few
lines, what a structural schema must look like and what a default must satisfy.
"""

from __future__ import annotations

import json
from typing import Any

import kubernetes_validate
from hypothesis import given
from hypothesis import strategies as st

from kro.schema import SchemaError, crd_from_rgd_schema, to_openapi

SCALAR_TYPES = {"string": "string", "integer": "integer", "boolean": "boolean", "float": "number"}
NAMES = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6)

# --- generating SimpleSchema --------------------------------------------------------------------


@st.composite
def string_field(draw: st.DrawFn) -> str:
    markers: list[str] = []
    if draw(st.booleans()):
        values = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
        markers.append(f'enum="{",".join(values)}"')
        if draw(st.booleans()):
            markers.append(f"default={draw(st.sampled_from(values))}")
    else:
        low = draw(st.integers(0, 3))
        high = draw(st.integers(low, 8))
        markers += [f"minLength={low}", f"maxLength={high}", 'pattern="^[a-z]*$"']
        if draw(st.booleans()):
            markers.append(f'default="{"a" * draw(st.integers(low, high))}"')
    return "string | " + " ".join(draw(st.permutations(markers)))


@st.composite
def number_field(draw: st.DrawFn, keyword: str) -> str:
    low = draw(st.integers(-100, 100))
    high = draw(st.integers(low, 200))
    markers = [f"minimum={low}", f"maximum={high}"]
    if draw(st.booleans()):
        markers.append(f"default={draw(st.integers(low, high))}")
    if keyword == "integer" and draw(st.booleans()):
        markers = [f"enum={','.join(map(str, range(low, low + 3)))}", f"default={low + 1}"]
    return f"{keyword} | " + " ".join(draw(st.permutations(markers)))


def type_exprs(custom: list[str]) -> st.SearchStrategy[str]:
    leaves = st.sampled_from([*SCALAR_TYPES, "object", *custom])
    return st.recursive(
        leaves,
        lambda inner: st.one_of(inner.map(lambda t: "[]" + t), inner.map(lambda t: "map[string]" + t)),
        max_leaves=4,
    )


@st.composite
def composite_field(draw: st.DrawFn, custom: list[str]) -> str:
    expr = draw(type_exprs(custom))
    markers = []
    if expr.startswith("[]"):
        low = draw(st.integers(0, 2))
        markers += [f"minItems={low}", f"maxItems={draw(st.integers(low, 5))}"]
        if expr[2:] in SCALAR_TYPES and draw(st.booleans()):
            markers.append("uniqueItems=true")
        if low == 0 and draw(st.booleans()):
            markers.append("default=[]")
    elif expr.startswith("map[") and draw(st.booleans()):
        markers.append("default={}")
    elif expr == "object" and draw(st.booleans()):
        markers.append('default={"any": ["thing", 1]}')
    elif expr == "boolean" and draw(st.booleans()):
        markers.append(f"default={draw(st.sampled_from(['true', 'false']))}")
    return f"{expr} | " + " ".join(markers) if markers else expr


@st.composite
def field_string(draw: st.DrawFn, custom: list[str]) -> str:
    base = draw(
        st.one_of(string_field(), number_field("integer"), number_field("float"), composite_field(custom))
    )
    extras = []
    if draw(st.booleans()):
        extras.append("required=true")
    if draw(st.booleans()):
        extras.append(r'description="a \"quoted\" [text] with | pipe"')
    if draw(st.booleans()):
        extras.append("immutable=true")
    if draw(st.booleans()):
        extras.append('validation="self == self"')
    if not extras:
        return base
    return base + (" " if "|" in base else " | ") + " ".join(extras)


def struct(custom: list[str], depth: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    value: st.SearchStrategy[Any] = field_string(custom)
    if depth > 0:
        value = st.one_of(value, value, struct(custom, depth - 1))
    return st.dictionaries(NAMES, value, max_size=4)


@st.composite
def simpleschema(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A spec and an acyclic ``types`` block (type i may use types 0..i-1)."""
    types: dict[str, Any] = {}
    for i in range(draw(st.integers(0, 3))):
        earlier = list(types)
        definition = draw(st.one_of(struct(earlier, 1), field_string(earlier)))
        types[f"T{i}"] = definition
    return draw(struct(list(types))), types


# --- checking OpenAPI -----------------------------------------------------------------------------

OPENAPI_TYPES = {"string", "integer", "number", "boolean", "array", "object"}


def check_node(node: dict[str, Any], where: str) -> None:
    assert "type" in node or node.get("x-kubernetes-preserve-unknown-fields"), where
    kind = node.get("type")
    assert kind in OPENAPI_TYPES, where
    assert ("items" in node) == (kind == "array"), where
    props = node.get("properties", {})
    required = node.get("required", [])
    assert set(required) <= set(props), where
    assert required == sorted(set(required)), where
    for name, child in props.items():
        check_node(child, f"{where}.{name}")
    if "items" in node:
        check_node(node["items"], f"{where}[]")
        if node.get("x-kubernetes-list-type") == "set":
            assert node["items"]["type"] in {"string", "integer", "number", "boolean"}, where
    if "additionalProperties" in node:
        assert kind == "object" and not props, where
        check_node(node["additionalProperties"], f"{where}.*")
    if any("default" in c for c in props.values()) and not required and "properties" in node:
        assert "default" in node, f"{where}: struct with defaulted fields needs default {{}}"
    if "default" in node:
        assert fits(node, node["default"]), f"{where}: default {node['default']!r} does not fit {node}"


def fits(node: dict[str, Any], value: Any) -> bool:
    kind = node.get("type")
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
    }
    if kind and not checks[kind](value):
        return False
    if "enum" in node and value not in node["enum"]:
        return False
    if kind in ("integer", "number") and not node.get("minimum", value) <= value <= node.get(
        "maximum", value
    ):
        return False
    if kind == "string" and not node.get("minLength", 0) <= len(value) <= node.get("maxLength", len(value)):
        return False
    if kind == "array":
        if not node.get("minItems", 0) <= len(value) <= node.get("maxItems", len(value)):
            return False
        return all(fits(node["items"], v) for v in value)
    if kind == "object" and isinstance(value, dict):
        props = node.get("properties", {})
        if any(r not in value for r in node.get("required", [])):
            return False
        extra = node.get("additionalProperties")
        return all(
            fits(props[k], v) if k in props else extra is None or fits(extra, v) for k, v in value.items()
        )
    return True


@given(simpleschema())
def test_random_trees_give_valid_schemas(tree: tuple[dict[str, Any], dict[str, Any]]) -> None:
    spec, types = tree
    schema = to_openapi(spec, types)
    assert schema["type"] == "object"
    check_node(schema, "spec")
    json.dumps(schema)  # plain JSON data only


@given(simpleschema())
def test_random_trees_give_crds_kubernetes_accepts(tree: tuple[dict[str, Any], dict[str, Any]]) -> None:
    spec, types = tree
    block = {"apiVersion": "v1", "kind": "Thing", "spec": spec, "types": types}
    crd = crd_from_rgd_schema(block, rgd_name="thing", status_schema=None, kro_version="0.1.0")
    kubernetes_validate.validate(crd, "1.32", strict=True)


FIELD_TEXT = st.text(alphabet=' "\\{}[]|=,abcdefimnqrstuxy019-^$()?*+', max_size=40)


@given(st.sampled_from(["string", "integer", "[]string", "float", "object", "Bad", ""]), FIELD_TEXT)
def test_arbitrary_field_strings_never_crash(type_text: str, rest: str) -> None:
    try:
        schema = to_openapi({"f": f"{type_text} | {rest}", "g": rest})
    except SchemaError as e:
        assert e.problems
        assert all(p.path and p.path[0] == "spec" and p.message for p in e.problems)
    else:
        check_node(schema, "spec")
