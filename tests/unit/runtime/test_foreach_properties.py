"""forEach expansion, checked over many inputs: one item per combination, first dimension outer,
each item named after its own combination."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from kro.runtime.observed import Snapshot
from kro.runtime.planner import plan_instance

from .graphs import compiled, instance, resource

GRAPH = compiled(
    [
        resource(
            "cms",
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "${a}-${b}"},
                "data": {"a": "${a}", "b": "${b}"},
            },
            for_each=[("a", "${schema.spec.a}"), ("b", "${schema.spec.b}")],
        )
    ],
    spec={"a": "[]string", "b": "[]string"},
)
NAMES = st.lists(st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True), max_size=4, unique=True)


@given(NAMES, NAMES)
def test_items_are_the_cartesian_product_in_order(a: list[str], b: list[str]) -> None:
    plan = plan_instance(GRAPH, instance(spec={"a": a, "b": b}), Snapshot(), kro_version="v")
    got = [(d.body["data"]["a"], d.body["data"]["b"]) for d in plan.all_applies]
    assert got == list(itertools.product(a, b))
    assert [d.body["metadata"]["name"] for d in plan.all_applies] == [f"{x}-{y}" for x, y in got]
    sizes = {d.body["metadata"]["labels"]["kro.run/collection-size"] for d in plan.all_applies}
    assert sizes <= {str(len(got))}
