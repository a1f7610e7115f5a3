"""Custom types: structs, aliases with markers, required aliases, references between types,
cycles, and problems located under ``types``."""

from __future__ import annotations

from kro.schema import to_openapi

from .helpers import field, problems


def test_struct_type_used_directly_in_lists_and_maps() -> None:
    types = {"Port": {"name": "string | required=true", "number": "integer | minimum=1"}}
    port = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "number": {"type": "integer", "minimum": 1}},
        "required": ["name"],
    }
    schema = to_openapi({"main": "Port", "all": "[]Port", "byName": "map[string]Port"}, types)
    props = schema["properties"]
    assert props["main"] == port
    assert props["all"] == {"type": "array", "items": port}
    assert props["byName"] == {"type": "object", "additionalProperties": port}


def test_uses_are_independent_copies() -> None:
    types = {"Port": {"n": "integer"}}
    schema = to_openapi({"a": 'Port | description="first"', "b": "Port"}, types)
    assert schema["properties"]["a"]["description"] == "first"
    assert "description" not in schema["properties"]["b"]


def test_alias_with_markers() -> None:
    types = {"Name": "string | minLength=1 maxLength=63 default=web"}
    assert field("Name", types) == {"type": "string", "minLength": 1, "maxLength": 63, "default": "web"}
    assert field("[]Name", types)["items"]["default"] == "web"


def test_field_markers_override_alias_markers() -> None:
    types = {"Name": 'string | description="a name" default=web'}
    node = field('Name | description="the app name" default=api', types)
    assert node["description"] == "the app name"
    assert node["default"] == "api"


def test_required_alias_makes_using_fields_required() -> None:
    types = {"Id": "string | required=true minLength=1"}
    schema = to_openapi({"id": "Id", "other": "Id", "opt": "string", "nested": {"inner": "Id"}}, types)
    assert schema["required"] == ["id", "other"]
    assert schema["properties"]["nested"]["required"] == ["inner"]
    assert "required" not in schema["properties"]["id"]  # the marker is not an OpenAPI keyword


def test_field_can_opt_out_of_required_alias() -> None:
    types = {"Id": "string | required=true"}
    assert "required" not in to_openapi({"id": "Id | required=false"}, types)


def test_required_alias_in_list_does_not_require_list() -> None:
    types = {"Id": "string | required=true"}
    assert "required" not in to_openapi({"ids": "[]Id"}, types)


def test_types_refer_to_each_other_in_any_order() -> None:
    types = {
        "Cluster": {"nodes": "[]Node", "name": "Name"},
        "Node": {"name": "Name", "labels": "map[string]string"},
        "Name": "string | pattern=^[a-z]+$",
    }
    schema = to_openapi({"c": "Cluster"}, types)
    node = schema["properties"]["c"]["properties"]["nodes"]["items"]
    assert node["properties"]["name"] == {"type": "string", "pattern": "^[a-z]+$"}


def test_struct_type_with_defaults_gets_default_object() -> None:
    types = {"Probe": {"path": 'string | default="/healthz"', "port": "integer"}}
    node = field("Probe", types)
    assert node["default"] == {}
    assert to_openapi({"p": "Probe"}, types)["default"] == {}


def test_self_cycle_is_named() -> None:
    found = problems({"root": "Node"}, {"Node": {"children": "[]Node"}})
    assert found == {("types", "Node"): "custom types form a cycle: Node -> Node"}


def test_longer_cycle_is_named_once() -> None:
    types = {"C": {"a": "A"}, "A": {"b": "map[string]B"}, "B": "[]C", "Ok": {"x": "string"}}
    found = problems({"ok": "Ok"}, types)
    assert found == {("types", "A"): "custom types form a cycle: A -> B -> C -> A"}


def test_two_separate_cycles() -> None:
    found = problems({}, {"A": {"a": "A"}, "X": {"y": "Y"}, "Y": {"x": "X"}})
    assert found == {
        ("types", "A"): "custom types form a cycle: A -> A",
        ("types", "X"): "custom types form a cycle: X -> Y -> X",
    }


def test_problems_inside_types_are_located_under_types() -> None:
    types = {"Port": {"number": "integer | minLength=1", "name": "strng"}, "Name": "string | requird=true"}
    found = problems({"p": "Port"}, types)
    assert set(found) == {("types", "Port", "number"), ("types", "Port", "name"), ("types", "Name")}
    assert "did you mean 'required'?" in found[("types", "Name")]


def test_broken_type_is_reported_once_not_at_every_use() -> None:
    found = problems({"a": "Bad", "b": "[]Bad"}, {"Bad": {"x": "nope"}})
    assert list(found) == [("types", "Bad", "x")]


def test_unused_types_are_still_checked() -> None:
    assert ("types", "Unused") in problems({}, {"Unused": "strin"})


def test_bad_type_names_and_definitions() -> None:
    found = problems({}, {"string": {"a": "string"}, "1abc": "string", "Weird": 5, "Ok": None})
    assert "built-in type" in found[("types", "string")]
    assert "cannot name a type" in found[("types", "1abc")]
    assert "found an integer (5)" in found[("types", "Weird")]
    assert "found nothing (null)" in found[("types", "Ok")]


def test_types_must_be_a_map() -> None:
    found = problems({}, ["A"])  # type: ignore[arg-type]
    assert "expected a map of type names" in found[("types",)]


def test_unknown_type_lists_custom_types() -> None:
    message = problems({"a": "Prot"}, {"Port": {"n": "integer"}, "Name": "string"})[("spec", "a")]
    assert "did you mean 'Port'?" in message
    assert "custom types: Name, Port" in message


def test_long_chains_of_types_do_not_exhaust_the_stack() -> None:
    types = {f"T{i}": {"next": f"T{i - 1}"} if i else {"v": "string"} for i in range(60)}
    node = to_openapi({"x": "T59"}, types)["properties"]["x"]
    for _ in range(59):
        node = node["properties"]["next"]
    assert node["properties"]["v"] == {"type": "string"}


def test_too_deep_type_chain_is_one_problem() -> None:
    types = {f"T{i}": {"next": f"T{i - 1}"} if i else {"v": "string"} for i in range(3000)}
    found = problems({"x": "T2999"}, types)
    assert list(found) == [("types", "T63")]
    assert "nests 65 levels deep; at most 64" in found[("types", "T63")]


def test_exponential_type_growth_is_one_problem_not_a_hang() -> None:
    types = {f"T{i}": {"a": f"T{i - 1}", "b": f"T{i - 1}"} if i else {"v": "string"} for i in range(60)}
    found = problems({"x": "T59"}, types)
    assert len(found) == 1
    [(path, message)] = found.items()
    assert path[0] == "types"
    assert "larger than 20000 nodes" in message
