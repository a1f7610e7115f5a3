"""Built-in kinds come back as kube-apiserver's Go types write them: ``false``, ``0`` and ``""`` in
non-pointer ``omitempty`` fields and empty ``omitempty`` slices and maps are gone, an empty slice
without ``omitempty`` is ``null``, quantities are in canonical spelling. Custom resources are kept
as sent. Every write path (create, update, patches, apply) and every read answer the same."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from tests.integration.conftest import ApiClient
from tests.integration.devcluster.builders import widget, widget_crd

DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"
ROLES = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles"
CMS = "/api/v1/namespaces/default/configmaps"
PVCS = "/api/v1/namespaces/default/persistentvolumeclaims"
WIDGETS = "/apis/example.com/v1/namespaces/default/widgets"


def deployment(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {
            "minReadySeconds": 0, "paused": False, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {
                "hostNetwork": False, "nodeSelector": {}, "serviceAccountName": "", "imagePullSecrets": [],
                "automountServiceAccountToken": False, "dnsPolicy": "",
                "containers": [{
                    "name": "c", "image": "nginx", "args": [], "env": [], "stdin": False, "workingDir": "",
                    "ports": [{"containerPort": 80, "hostPort": 0, "name": ""}],
                    "resources": {"requests": {"cpu": "0.1", "memory": "1024Mi"}, "limits": {"cpu": 1, "memory": 0.5}},
                }],
            }},
        },
    }  # fmt: skip


def _check_deployment(obj: dict[str, Any]) -> None:
    spec = obj["spec"]
    assert "minReadySeconds" not in spec and "paused" not in spec
    pod = spec["template"]["spec"]
    for gone in ("hostNetwork", "nodeSelector", "serviceAccountName", "imagePullSecrets"):
        assert gone not in pod, gone
    assert pod["automountServiceAccountToken"] is False  # a *bool: false is a value, not unset
    assert pod["dnsPolicy"] == "ClusterFirst"  # "" is unset, so it is defaulted
    container = pod["containers"][0]
    for gone in ("args", "env", "stdin", "workingDir"):
        assert gone not in container, gone
    assert container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert container["resources"] == {
        "requests": {"cpu": "100m", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "500m"},
    }  # fmt: skip


async def test_a_deployment_comes_back_as_its_go_types_write_it(api: ApiClient) -> None:
    code, created = await api.post(DEPLOYMENTS, deployment("d1"))
    assert code == 201, created
    _check_deployment(created)
    code, got = await api.get(f"{DEPLOYMENTS}/d1")
    assert code == 200
    _check_deployment(got)
    # an update sending the same zeros again changes nothing: same resourceVersion
    again = deployment("d1")
    again["metadata"]["resourceVersion"] = got["metadata"]["resourceVersion"]
    code, updated = await api.put(f"{DEPLOYMENTS}/d1", again)
    assert code == 200
    assert updated["metadata"]["resourceVersion"] == got["metadata"]["resourceVersion"]
    _check_deployment(updated)


async def test_a_null_pointer_is_unset_so_it_is_defaulted(api: ApiClient) -> None:
    body = deployment("d5")
    body["spec"]["replicas"] = None
    body["spec"]["template"]["spec"].update(securityContext=None, terminationGracePeriodSeconds=None)
    code, created = await api.post(DEPLOYMENTS, body)
    assert code == 201, created
    pod = created["spec"]["template"]["spec"]
    assert (created["spec"]["replicas"], pod["terminationGracePeriodSeconds"], pod["securityContext"]) == (1, 30, {})


async def test_every_write_path_encodes_the_same(api: ApiClient) -> None:
    code, _ = await api.post(DEPLOYMENTS, deployment("d2"))
    assert code == 201
    patch = {"spec": {"minReadySeconds": 0, "template": {"spec": {"hostNetwork": False}}}}
    code, merged = await api.patch(f"{DEPLOYMENTS}/d2", patch)
    assert code == 200
    _check_deployment(merged)
    applied = deployment("d3")
    code, body = await api.patch(
        f"{DEPLOYMENTS}/d3?fieldManager=test", applied, content_type="application/apply-patch+yaml"
    )
    assert code == 201, body
    _check_deployment(body)


async def test_an_empty_slice_without_omitempty_is_null_and_empty_maps_are_gone(api: ApiClient) -> None:
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r"}, "rules": []}
    code, body = await api.post(ROLES, role)
    assert code == 201, body
    assert "rules" in body and body["rules"] is None
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}, "binaryData": {}}
    code, body = await api.post(CMS, cm)
    assert code == 201
    assert "data" not in body and "binaryData" not in body


async def test_a_quantity_in_a_claim_is_canonical_and_a_bad_one_is_still_refused(api: ApiClient) -> None:
    def claim(name: str, storage: Any) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": storage}}}}  # fmt: skip

    code, body = await api.post(PVCS, claim("p1", "2048Mi"))
    assert code == 201
    assert body["spec"]["resources"]["requests"]["storage"] == "2Gi"
    code, body = await api.post(PVCS, claim("p2", "lots"))
    assert code == 400, body
    assert body["message"] == (
        'PersistentVolumeClaim in version "v1" cannot be handled as a PersistentVolumeClaim: '
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )


async def test_a_type_error_is_the_go_decoders_400_not_taken_for_a_zero_value(api: ApiClient) -> None:
    def error(path: list[Any], value: Any) -> dict[str, Any]:
        bad = deployment("d4")
        target: Any = bad
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        return bad

    prefix = 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal '
    container = ["spec", "template", "spec", "containers", 0]
    for path, value, message in [
        (["spec", "paused"], 0, "number into Go struct field DeploymentSpec.spec.paused of type bool"),
        (["spec", "replicas"], "two", "string into Go struct field DeploymentSpec.spec.replicas of type int32"),
        (["spec", "replicas"], 1.0, "number 1.0 into Go struct field DeploymentSpec.spec.replicas of type int32"),
        ([*container, "image"], 5, "number into Go struct field Container.spec.template.spec.containers.image of type string"),
        (["spec", "template", "metadata", "labels"], {"app": 1},
         "number into Go struct field ObjectMeta.spec.template.metadata.labels of type string"),
        (["spec", "template", "spec", "restartPolicy"], ["Always"],
         "array into Go struct field PodSpec.spec.template.spec.restartPolicy of type v1.RestartPolicy"),
    ]:  # fmt: skip
        code, body = await api.post(DEPLOYMENTS, error(path, value))
        assert (code, body["reason"], body["message"]) == (400, "BadRequest", prefix + message), path


async def test_a_custom_resource_keeps_what_was_sent(api: ApiClient) -> None:
    code, _ = await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", widget_crd())
    assert code == 201
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while (await api.get(WIDGETS))[0] != 200:
        assert loop.time() < deadline
        await asyncio.sleep(0.02)
    sent = widget("w", tags=[], extra={"flag": False, "n": 0, "s": "", "cpu": "0.1"})
    code, body = await api.post(WIDGETS, copy.deepcopy(sent))
    assert code == 201, body
    assert body["spec"]["tags"] == [] and body["spec"]["extra"] == sent["spec"]["extra"]
    # and its type errors are the schema's 422, as the apiextensions server answers them
    code, body = await api.post(WIDGETS, widget("w2", replicas="two"))
    assert code == 422 and "spec.replicas in body must be of type integer" in body["message"]


async def test_a_write_that_changes_nothing_is_not_written(api: ApiClient) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "same"}, "data": {"a": "b"}}
    code, created = await api.post(CMS, cm)
    assert code == 201
    rv = created["metadata"]["resourceVersion"]
    code, put = await api.put(f"{CMS}/same", cm)  # no resourceVersion sent: still the same object
    assert (code, put["metadata"]["resourceVersion"]) == (200, rv)
    code, patched = await api.patch(f"{CMS}/same", {"data": {"a": "b"}})
    assert (code, patched) == (200, created)
    applied = f"{CMS}/same?fieldManager=tool"
    code, first = await api.patch(applied, cm, content_type="application/apply-patch+yaml")
    assert code == 200 and first["metadata"]["resourceVersion"] != rv  # a new manager is a change
    await asyncio.sleep(1.1)  # a second later: the manager's time would move if anything was written
    code, second = await api.patch(applied, cm, content_type="application/apply-patch+yaml")
    assert (code, second) == (200, first)
    # watchers see the change, not the writes that changed nothing
    code, _ = await api.patch(f"{CMS}/same", {"data": {"a": "c"}})
    assert code == 200
    events = await api.watch(CMS, {"resourceVersion": rv, "timeoutSeconds": "1"}, timeout=5)
    assert [(e["type"], e["object"]["data"]) for e in events] == [("MODIFIED", {"a": "b"}), ("MODIFIED", {"a": "c"})]
