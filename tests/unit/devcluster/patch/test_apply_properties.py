"""Properties of server-side apply over generated ConfigMaps."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as s

from kro.devcluster.patch import server_side_apply
from tests.unit.devcluster.patch.builders import T0, T1, configmap, schema_of

CM = schema_of("v1", "ConfigMap")
keys = s.text(alphabet="abcde", min_size=1, max_size=3)
maps = s.dictionaries(keys, s.text(alphabet="xyz", max_size=2), max_size=5)


@given(maps, maps)
def test_one_manager_ends_with_exactly_its_last_configuration(first: dict[str, str], second: dict[str, str]) -> None:
    live = server_side_apply(None, configmap(data=first, labels=first), schema=CM, manager="m", now=T0).object
    result = server_side_apply(live, configmap(data=second, labels=second), schema=CM, manager="m", now=T1).object
    assert result.get("data", {}) == second
    assert result["metadata"].get("labels", {}) == second


@given(maps)
def test_reapplying_is_a_no_op(data: dict[str, str]) -> None:
    live = server_side_apply(None, configmap(data=data), schema=CM, manager="m", now=T0).object
    again = server_side_apply(live, configmap(data=data), schema=CM, manager="m", now=T1)
    assert not again.changed and again.object == live


@given(maps, maps, maps)
def test_a_manager_never_removes_fields_another_manager_owns(a: dict[str, str], b: dict[str, str],
                                                             a2: dict[str, str]) -> None:
    b = {"b" + k: v for k, v in b.items()}
    live = server_side_apply(None, configmap(data=a), schema=CM, manager="alice", now=T0).object
    live = server_side_apply(live, configmap(data=b), schema=CM, manager="bob", now=T0, force=True).object
    result = server_side_apply(live, configmap(data=a2), schema=CM, manager="alice", now=T1, force=True).object
    assert result.get("data", {}) == {**b, **a2}
