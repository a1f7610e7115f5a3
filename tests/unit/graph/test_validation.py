"""Each of kro's static rules rejects what it should, with a message naming the problem and a path
pointing at it."""

from __future__ import annotations

import pytest

from tests.unit.graph.builders import (
    compile_ok,
    configmap,
    deployment,
    messages,
    obj,
    one_problem,
    resource,
    rgd,
    widget_crd,
    with_crds,
)


@pytest.mark.parametrize("rid", ["my-config", "Config", "1config", "my_config"])
def test_ids_must_be_lower_camel_case(rid: str) -> None:
    d = one_problem(rgd(resources=[resource(rid, configmap())]))
    assert d.path == "spec.resources[0].id" and "must match ^[a-z][a-zA-Z0-9]*$" in d.message


@pytest.mark.parametrize("rid", ["schema", "each", "namespace", "metadata", "self", "in", "runtime", "items"])
def test_reserved_words_cannot_be_ids(rid: str) -> None:
    d = one_problem(rgd(resources=[resource(rid, configmap())]))
    assert f"resource id {rid!r} is a reserved word" in d.message


def test_duplicate_ids_are_rejected() -> None:
    d = one_problem(rgd(resources=[resource("cm", configmap("a")), resource("cm", configmap("b"))]))
    assert d.path == "spec.resources[1].id" and "duplicate resource id 'cm'" in d.message


def test_template_and_external_ref_are_exclusive() -> None:
    both = resource(
        "cm", configmap(), externalRef={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
    )
    assert "exactly one of 'template' or 'externalRef'" in one_problem(rgd(resources=[both])).message
    neither = resource("cm")
    assert "exactly one of 'template' or 'externalRef'" in one_problem(rgd(resources=[neither])).message


def test_unknown_resource_field_is_rejected() -> None:
    d = one_problem(rgd(resources=[resource("cm", configmap(), dependsOn=["x"])]))
    assert d.path == "spec.resources[0].dependsOn" and "unknown field 'dependsOn'" in d.message


@pytest.mark.parametrize(
    "metadata", [{"name": "a", "selector": {"matchLabels": {"a": "b"}}}, {"namespace": "default"}]
)
def test_external_ref_needs_exactly_one_of_name_or_selector(metadata: dict[str, object]) -> None:
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata}
    d = one_problem(rgd(resources=[resource("cm", externalRef=ref)]))
    assert "exactly one of 'name' or 'selector'" in d.message


def test_external_ref_cannot_have_for_each() -> None:
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
    found = messages(rgd(resources=[resource("cm", externalRef=ref, forEach=[{"i": "${[1, 2]}"}])]))
    assert any("externalRef cannot be combined with forEach" in m for m in found)


def test_template_needs_api_version_kind_and_name() -> None:
    found = messages(rgd(resources=[resource("cm", {"metadata": {"labels": {"a": "b"}}})]))
    assert any("template.apiVersion is required" in m for m in found)
    assert any("template.kind is required" in m for m in found)
    assert any("metadata.name (or generateName) is required" in m for m in found)


def test_generate_name_is_enough() -> None:
    tpl = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "cm-"}}
    compile_ok(rgd(resources=[resource("cm", tpl)]))


@pytest.mark.parametrize("field", ["labels", "annotations"])
@pytest.mark.parametrize("key", ["kro.run/owned", "internal.kro.run/apply-order"])
def test_kro_owned_labels_and_annotations_are_rejected(field: str, key: str) -> None:
    tpl = configmap()
    tpl["metadata"][field] = {key: "x"}
    d = one_problem(rgd(resources=[resource("cm", tpl)]))
    assert (
        d.path == f'spec.resources[0].template.metadata.{field}["{key}"]' and "prefix kro owns" in d.message
    )


def test_cluster_scoped_child_must_not_set_namespace() -> None:
    ns = obj("v1", "Namespace", "team-a")
    ns["metadata"]["namespace"] = "default"
    d = one_problem(rgd(resources=[resource("ns", ns)]))
    assert "Namespace is cluster-scoped: metadata.namespace must not be set" in d.message


def test_namespaced_child_of_cluster_scoped_instance_must_set_namespace() -> None:
    d = one_problem(rgd(scope="Cluster", resources=[resource("cm", configmap())]))
    assert "the instance is cluster-scoped: set metadata.namespace" in d.message
    tpl = configmap()
    tpl["metadata"]["namespace"] = "kube-system"
    compile_ok(rgd(scope="Cluster", resources=[resource("cm", tpl)]))


def test_cluster_scoped_instance_has_no_namespace_in_schema() -> None:
    tpl = configmap()
    tpl["metadata"]["namespace"] = "${schema.metadata.namespace}"
    d = one_problem(rgd(scope="Cluster", resources=[resource("cm", tpl)]))
    assert "namespace" in d.message


def test_for_each_entries_are_one_key_maps() -> None:
    tpl = configmap("${schema.metadata.name}-${string(i)}")
    found = messages(rgd(resources=[resource("cms", tpl, forEach=[{"i": "${[1]}", "j": "${[2]}"}])]))
    assert "spec.resources[0].forEach[0]: each forEach entry must be a map with exactly one key" in found


def test_at_most_ten_for_each_dimensions() -> None:
    names = [f"d{i}" for i in range(11)]
    tpl = configmap("-".join("${string(" + n + ")}" for n in names))
    found = messages(rgd(resources=[resource("cms", tpl, forEach=[{n: "${[1]}"} for n in names])]))
    assert any("11 dimensions; at most 10" in m for m in found)


def test_for_each_iterator_must_appear_in_the_name() -> None:
    tpl = configmap("${schema.metadata.name}", key="${region}")
    d = one_problem(rgd(resources=[resource("cms", tpl, forEach=[{"region": "${['a', 'b']}"}])]))
    assert d.path == "spec.resources[0].forEach[0].region"
    assert "iterator 'region' must be used in metadata.name" in d.message


def test_for_each_iterators_may_not_reference_each_other() -> None:
    tpl = configmap("${a}-${b}")
    dims = [{"a": "${['x', 'y']}"}, {"b": "${[a]}"}]
    d = one_problem(rgd(resources=[resource("cms", tpl, forEach=dims)]))
    assert "iterators may not reference each other ('b' reads 'a')" in d.message


def test_for_each_must_be_a_list() -> None:
    tpl = configmap("${schema.metadata.name}-${i}")
    d = one_problem(rgd(resources=[resource("cms", tpl, forEach=[{"i": "${schema.metadata.name}"}])]))
    assert "forEach 'i' must be a list, got string" in d.message


def test_for_each_iterator_is_typed_by_the_element_type() -> None:
    tpl = configmap("${schema.metadata.name}-${i}")  # i is an int: cannot be interpolated
    d = one_problem(rgd(resources=[resource("cms", tpl, forEach=[{"i": "${lists.range(3)}"}])]))
    assert "must be a string, got int" in d.message


def test_ready_when_may_reference_only_its_own_resource() -> None:
    resources = [
        resource("config", configmap("cfg")),
        resource("app", deployment(), readyWhen=["${config.metadata.name == 'x'}"]),
    ]
    d = one_problem(rgd(resources=resources))
    assert d.path == "spec.resources[1].readyWhen[0]"
    assert "readyWhen may reference only 'app', not 'config'" in d.message


def test_collection_ready_when_uses_each() -> None:
    tpl = configmap("${schema.metadata.name}-${i}")
    ok = resource("cms", tpl, forEach=[{"i": "${['a']}"}], readyWhen=["${each.metadata.name != ''}"])
    compile_ok(rgd(resources=[ok]))
    bad = resource("cms", tpl, forEach=[{"i": "${['a']}"}], readyWhen=["${size(cms) > 0}"])
    assert "readyWhen may reference only 'each', not 'cms'" in one_problem(rgd(resources=[bad])).message


def test_ready_when_and_include_when_must_be_bool() -> None:
    bad_ready = resource("app", deployment(), readyWhen=["${app.spec.replicas}"])
    assert "readyWhen must be a bool, got int" in one_problem(rgd(resources=[bad_ready])).message
    bad_include = resource("app", deployment(), includeWhen=["${schema.spec.name}"])
    assert "includeWhen must be a bool, got string" in one_problem(rgd(resources=[bad_include])).message


def test_conditions_must_be_single_expressions() -> None:
    r = resource("app", deployment(), includeWhen=["x ${schema.spec.name == 'a'}"])
    assert "must be a single '${...}' expression" in one_problem(rgd(resources=[r])).message


def test_status_fields_must_be_expressions() -> None:
    found = messages(rgd(status={"phase": "Ready", "count": 3, "ok": "${true}"}))
    assert found == [
        "spec.schema.status.phase: status fields must be '${...}' expressions, got the literal 'Ready'",
        "spec.schema.status.count: status fields must be '${...}' expressions, got 3",
    ]


def test_runtime_only_in_status_conditions() -> None:
    cond = "${runtime.newCondition({'type': 'Synced', 'status': 'True', 'reason': 'Ok', 'message': ''})}"
    graph = compile_ok(rgd(status={"conditions": [cond]}))
    assert len(graph.status_conditions) == 1
    d = one_problem(rgd(status={"synced": cond}))
    assert "runtime.* functions are only available in status.conditions" in d.message
    r = resource("cm", configmap(), includeWhen=["${runtime.condition(schema, 'Ready') != null}"])
    assert "only available in status.conditions" in one_problem(rgd(resources=[r])).message


def test_unknown_kind_says_how_to_fix_it() -> None:
    d = one_problem(rgd(resources=[resource("w", obj("example.com/v1", "Widget"))]))
    assert d.path == "spec.resources[0].template.kind"
    assert (
        d.message == "unknown kind 'Widget' in 'example.com/v1'; is its CRD installed? pass CRD files with -f"
    )


def test_crd_given_resolves_the_kind() -> None:
    graph = compile_ok(
        rgd(resources=[resource("w", obj("example.com/v1", "Widget", spec={"size": 3}))]),
        resolver=with_crds(widget_crd()),
    )
    assert graph.nodes["w"].plural == "widgets"


def test_unknown_field_names_the_kind_and_suggests() -> None:
    tpl = deployment()
    tpl["spec"]["replica"] = 2
    d = one_problem(rgd(resources=[resource("app", tpl)]))
    assert d.path == "spec.resources[0].template.spec.replica"
    assert d.message == "unknown field 'replica' in spec of apps/v1 Deployment; did you mean 'replicas'?"


def test_preserve_unknown_fields_accept_anything() -> None:
    tpl = obj("example.com/v1", "Widget", spec={"anything": {"goes": ["${schema.spec.name}"]}})
    compile_ok(rgd(resources=[resource("w", tpl)]), resolver=with_crds(widget_crd(preserve=True)))


def test_literal_of_the_wrong_type_is_rejected() -> None:
    d = one_problem(rgd(resources=[resource("app", deployment(replicas="three"))]))
    assert "must be integer, got string 'three'" in d.message


def test_expression_type_must_fit_the_field() -> None:
    d = one_problem(rgd(resources=[resource("app", deployment(replicas="${schema.spec.name}"))]))
    assert d.path == "spec.resources[0].template.spec.replicas"
    assert d.message.startswith("type mismatch:") and "string" in d.message and "integer" in d.message
    assert d.expression == "schema.spec.name"


def test_interpolated_string_needs_a_string_field() -> None:
    d = one_problem(rgd(resources=[resource("app", deployment(replicas="1${schema.spec.name}"))]))
    assert "the field is integer" in d.message


def test_interpolated_expressions_must_be_strings() -> None:
    spec = {"replicas": "integer | default=1"}
    d = one_problem(rgd(spec=spec, resources=[resource("cm", configmap("cm-${schema.spec.replicas}"))]))
    assert "must be a string, got int; convert it with string(...)" in d.message
    compile_ok(rgd(spec=spec, resources=[resource("cm", configmap("cm-${string(schema.spec.replicas)}"))]))


def test_undefined_identifier_and_unknown_function() -> None:
    d = one_problem(rgd(resources=[resource("cm", configmap("${nope.metadata.name}"))]))
    assert "undefined identifier 'nope'" in d.message and "known names: cm, schema" in d.message
    d = one_problem(rgd(resources=[resource("cm", configmap("${frobnicate(schema.spec.name)}"))]))
    assert "frobnicate" in d.message


def test_expressions_in_map_keys_are_rejected() -> None:
    tpl = configmap()
    tpl["data"] = {"${schema.spec.name}": "v"}
    assert "not allowed in map keys" in one_problem(rgd(resources=[resource("cm", tpl)])).message


def test_self_reference_and_cycles() -> None:
    d = one_problem(rgd(resources=[resource("cm", configmap("${cm.metadata.name}"))]))
    assert "resource 'cm' references itself" in d.message
    cycle = [
        resource("a", configmap("${c.metadata.name}-a")),
        resource("b", configmap("${a.metadata.name}-b")),
        resource("c", configmap("${b.metadata.name}-c")),
    ]
    d = one_problem(rgd(resources=cycle))
    assert d.message == "graph contains a cycle: a -> c -> b -> a" and d.path == "spec.resources[0]"


def test_schema_problems_are_located_in_spec_schema() -> None:
    d = one_problem(rgd(spec={"replicas": "integer | defualt=1"}))
    assert d.path == "spec.schema.spec.replicas" and "unknown marker 'defualt'" in d.message


def test_every_problem_is_reported_at_once() -> None:
    doc = rgd(
        resources=[
            resource("bad-id", configmap()),
            resource("app", deployment(replicas="${schema.spec.name}")),
            resource("ref", configmap("${missing.x}")),
        ],
        status={"phase": "literal"},
    )
    assert len(messages(doc)) == 4


def test_crd_templates_compute_only_metadata() -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "${schema.spec.name}.example.com"},
        "spec": {
            "group": "${schema.spec.name}",
            "names": {"kind": "X", "plural": "xs"},
            "scope": "Namespaced",
            "versions": [],
        },
    }
    d = one_problem(rgd(resources=[resource("crd", crd)]))
    assert d.path == "spec.resources[0].template.spec.group" and "only under metadata" in d.message
