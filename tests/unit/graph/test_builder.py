"""Compiling whole RGDs: the Redis example's graph, node kinds, status inference, the CRD,
chaining several RGDs, and located diagnostics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kro.api.refs import GVK
from kro.graph.chaining import RGDSource, compile_many
from kro.graph.model import NodeKind
from tests.unit.graph.builders import (
    RESOLVER,
    compile_ok,
    configmap,
    deployment,
    obj,
    problems,
    resource,
    rgd,
    widget_crd,
    with_crds,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _example(name: str, file: str = "rgd.yaml") -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((EXAMPLES / name / file).read_text())
    return doc


STS_STATUS = {"readyReplicas": 2}


def test_redis_compiles_in_dependency_order() -> None:
    graph = compile_ok(_example("redis"))
    assert graph.topological_order == ("config", "statefulset", "headless", "client")
    assert graph.nodes["statefulset"].dependencies == {"config"}
    assert graph.nodes["headless"].dependencies == {"statefulset"}
    assert graph.nodes["client"].dependencies == {"statefulset"}
    assert graph.instance_gvk == GVK("kro.run", "v1alpha1", "Redis")
    assert graph.instance_plural == "redis" and graph.instance_namespaced
    assert graph.deletion_waves() == [["headless", "client"], ["statefulset"], ["config"]]


def test_redis_fields_evaluate_on_plain_data() -> None:
    graph = compile_ok(_example("redis"))
    sts = graph.nodes["statefulset"]
    by_path = {f.path: f for f in sts.fields}
    service_name = by_path[("spec", "serviceName")]
    assert service_name.standalone
    bindings = {"schema": {"metadata": {"name": "cache", "namespace": "ns"}, "spec": {"replicas": 3}}}
    assert service_name.expression.evaluate(bindings) == "cache-headless"
    assert by_path[("spec", "replicas")].expression.evaluate(bindings) == 3
    config_name = graph.nodes["config"].fields[0]
    assert config_name.path == ("metadata", "name") and not config_name.standalone
    assert config_name.expression.evaluate(bindings) == "cache-config"
    (ready,) = sts.ready_when
    assert ready.evaluate({"statefulset": {"status": STS_STATUS}}) is True


def test_redis_status_schema_is_inferred_from_expression_types() -> None:
    graph = compile_ok(_example("redis"))
    status = graph.crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]
    props = status["properties"]
    assert props["ready"] == {"type": "boolean"}
    assert props["readyReplicas"]["type"] == "integer"
    assert props["endpoint"] == {"type": "string"}
    assert "state" in props and "conditions" in props  # kro's reserved status fields
    assert [f.path for f in graph.status_fields] == [
        ("status", "ready"),
        ("status", "readyReplicas"),
        ("status", "endpoint"),
    ]
    assert graph.crd["metadata"]["name"] == "redis.kro.run"


def test_node_kinds() -> None:
    by_name = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}}
    by_selector = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"selector": {"matchLabels": {"a": "b"}}},
    }
    graph = compile_ok(
        rgd(
            resources=[
                resource("shared", externalRef=by_name),
                resource("pool", externalRef=by_selector),
                resource("cms", configmap("${schema.metadata.name}-${r}"), forEach=[{"r": "${['a', 'b']}"}]),
                resource("app", deployment(), includeWhen=["${size(pool) > 0 && shared.data.x == 'y'}"]),
            ],
            status={"count": "${size(cms)}"},
        )
    )
    nodes = graph.nodes
    assert nodes["shared"].kind is NodeKind.EXTERNAL and nodes["shared"].template["metadata"] == {
        "name": "shared"
    }
    assert nodes["pool"].kind is NodeKind.EXTERNAL_COLLECTION
    assert nodes["pool"].external_selector == {"matchLabels": {"a": "b"}}
    assert nodes["cms"].kind is NodeKind.COLLECTION and [d.name for d in nodes["cms"].for_each] == ["r"]
    assert nodes["app"].kind is NodeKind.RESOURCE and nodes["app"].dependencies == {"pool", "shared"}
    assert nodes["cms"].for_each[0].expression.evaluate({}) == ["a", "b"]


def test_for_each_dependencies_and_iterator_values() -> None:
    graph = compile_ok(
        rgd(
            spec={"regions": '[]string | default=["eu"]'},
            resources=[
                resource("base", configmap()),
                resource(
                    "cms",
                    configmap("${base.metadata.name}-${region}", region="${region}"),
                    forEach=[{"region": "${schema.spec.regions}"}],
                ),
            ],
        )
    )
    cms = graph.nodes["cms"]
    assert cms.dependencies == {"base"}
    name = next(f for f in cms.fields if f.path == ("metadata", "name"))
    assert name.expression.evaluate({"base": {"metadata": {"name": "b"}}, "region": "eu"}) == "b-eu"


def test_literal_text_is_kept_verbatim_in_interpolation() -> None:
    tpl = configmap("x", motd='say "${schema.spec.name}"\\n')
    graph = compile_ok(rgd(resources=[resource("cm", tpl)]))
    (motd,) = [f for f in graph.nodes["cm"].fields if f.path == ("data", "motd")]
    assert motd.expression.evaluate({"schema": {"spec": {"name": "hi"}}}) == 'say "hi"\\n'


def test_escaped_marker_produces_a_literal_dollar_brace() -> None:
    graph = compile_ok(rgd(resources=[resource("cm", configmap("x", script='${"${HOME}"}/bin'))]))
    (script,) = [f for f in graph.nodes["cm"].fields if f.path == ("data", "script")]
    assert script.expression.evaluate({}) == "${HOME}/bin"


def test_positions_locate_diagnostics() -> None:
    doc = rgd(resources=[resource("app", deployment(replicas="${schema.spec.name}"))])
    path = ("spec", "resources", 0, "template", "spec", "replicas")
    (d,) = problems(doc, positions={path: (41, 21), ("spec",): (5, 1)}, file="rgd.yaml")
    assert (d.file, d.line, d.column) == ("rgd.yaml", 41, 21)
    assert d.location() == "rgd.yaml:41:21"


def test_missing_positions_fall_back_to_the_nearest_ancestor() -> None:
    doc = rgd(resources=[resource("app", deployment(replicas="${schema.spec.name}"))])
    (d,) = problems(doc, positions={("spec", "resources", 0): (12, 7)}, file="f.yaml")
    assert (d.line, d.column) == (12, 7)


def test_compile_many_resolves_kinds_defined_by_other_rgds() -> None:
    app, db = _example("database-application"), _example("database-application", "database-rgd.yaml")
    results = compile_many(
        [RGDSource(app, file="app.yaml"), RGDSource(db, file="db.yaml")], resolver=RESOLVER
    )
    assert [r.name for r in results] == ["application", "database"]
    assert all(r.ok for r in results), [str(d) for r in results for d in r.diagnostics]
    graph = results[0].graph
    assert graph is not None and graph.nodes["database"].gvk == GVK("kro.run", "v1alpha1", "Database")
    status = graph.crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]
    assert status["properties"]["databaseEndpoint"] == {"type": "string"}


def test_compile_many_reports_unknown_kind_without_the_other_rgd() -> None:
    (result,) = compile_many([RGDSource(_example("database-application"))], resolver=RESOLVER)
    assert not result.ok
    assert any("unknown kind 'Database'" in d.message for d in result.diagnostics)


def test_compile_many_reports_cycles_between_rgds() -> None:
    a = rgd("a", kind="Alpha", resources=[resource("b", obj("kro.run/v1alpha1", "Beta"))])
    b = rgd("b", kind="Beta", resources=[resource("a", obj("kro.run/v1alpha1", "Alpha"))])
    results = compile_many([RGDSource(a), RGDSource(b)], resolver=RESOLVER)
    assert not any(r.ok for r in results)
    assert all(any("in a cycle: " in d.message for d in r.diagnostics) for r in results)


def test_compile_many_rejects_a_kind_defined_twice() -> None:
    results = compile_many([RGDSource(rgd("one")), RGDSource(rgd("two"))], resolver=RESOLVER)
    assert results[0].ok and not results[1].ok
    assert "already defined by another RGD" in results[1].diagnostics[0].message


def test_crd_child_fields_are_typed() -> None:
    tpl = obj("example.com/v1", "Widget", spec={"size": "${schema.spec.name}"})
    (d,) = problems(rgd(resources=[resource("w", tpl)]), resolver=with_crds(widget_crd()))
    assert d.path == "spec.resources[0].template.spec.size" and "type mismatch" in d.message
