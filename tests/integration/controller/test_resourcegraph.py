"""ResourceGraphs through the controller over HTTP: a cluster-scoped root, a root moving between
graphs, a child the API server refuses (SyncFailed, counted as failing), and a deleted graph
letting go of its roots."""

from __future__ import annotations

import asyncio
from typing import Any

from kro.controller.app import Controller
from kro.kube import KubeClient

from ..conftest import ApiClient
from .conftest import SETTINGS, eventually, start_controller
from .helpers import CRDS, RGDS, apps, condition, core, create, get, reconciles, rgd_active

RGS = "/apis/kro.dev/v1alpha1/resourcegraphs"
TENANTS = "/apis/example.com/v1/tenants"


def tenant_crd() -> dict[str, Any]:
    spec = {"type": "object", "properties": {"team": {"type": "string"}, "configName": {"type": "string"}}}
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "tenants.example.com"},
        "spec": {"group": "example.com", "scope": "Cluster",
                 "names": {"kind": "Tenant", "plural": "tenants", "singular": "tenant", "listKind": "TenantList"},
                 "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                     "type": "object", "properties": {"spec": spec}}}}]},
    }  # fmt: skip


def graph(name: str, *, data_key: str = "team") -> dict[str, Any]:
    return {
        "apiVersion": "kro.dev/v1alpha1", "kind": "ResourceGraph", "metadata": {"name": name},
        "spec": {"root": {"apiGroup": "example.com", "kind": "Tenant"}, "children": [{
            "id": "config",
            "template": {"apiVersion": "v1", "kind": "ConfigMap",
                         "metadata": {"name": "${root.spec.configName}", "namespace": "default"},
                         "data": {data_key: "${root.spec.team}"}},
        }]},
    }  # fmt: skip


def tenant(name: str, graph_name: str, config: str) -> dict[str, Any]:
    return {"apiVersion": "example.com/v1", "kind": "Tenant",
            "metadata": {"name": name, "labels": {"kro.dev/graph": graph_name}},
            "spec": {"team": "payments", "configName": config}}  # fmt: skip


async def _setup(kapi: ApiClient, *graphs: dict[str, Any]) -> None:
    await create(kapi, CRDS, tenant_crd())
    await eventually(lambda: _served(kapi))
    for g in graphs:
        await create(kapi, RGS, g)
        await eventually(lambda n=g["metadata"]["name"]: _state(kapi, n, "Active"))


async def _served(kapi: ApiClient) -> bool:
    code, _ = await kapi.get(TENANTS)
    return code == 200


async def _state(kapi: ApiClient, name: str, state: str) -> dict[str, Any] | None:
    rg = await get(kapi, f"{RGS}/{name}")
    return rg if rg and (rg.get("status") or {}).get("state") == state else None


async def test_a_cluster_scoped_root_owns_its_namespaced_child(kapi: ApiClient, controller: Controller) -> None:
    await _setup(kapi, graph("tenants"))
    root = await create(kapi, TENANTS, tenant("acme", "tenants", "acme-config"))
    cm = await eventually(lambda: get(kapi, core("configmaps", "acme-config")))
    assert cm["data"] == {"team": "payments"}
    assert cm["metadata"]["ownerReferences"] == [
        {"apiVersion": "example.com/v1", "kind": "Tenant", "name": "acme", "uid": root["metadata"]["uid"]}
    ]
    assert cm["metadata"]["labels"]["kro.dev/root"] == "acme"


def _reconciles(controller: Controller) -> dict[tuple[str, str], float]:
    """``kro_reconcile_total`` summed over results, by (controller, resource) label."""
    totals: dict[tuple[str, str], float] = {}
    for family in controller.metrics.registry.collect():
        for sample in family.samples:
            if sample.name == "kro_reconcile_total":
                key = (sample.labels["controller"], sample.labels["resource"])
                totals[key] = totals.get(key, 0.0) + sample.value
    return totals


async def test_reconcile_metrics_name_the_graph_and_root_controllers(
    kapi: ApiClient, controller: Controller
) -> None:
    await _setup(kapi, graph("tenants"))
    await create(kapi, TENANTS, tenant("acme", "tenants", "acme-config"))
    await eventually(lambda: get(kapi, core("configmaps", "acme-config")))
    totals = _reconciles(controller)
    assert totals.get(("resourcegraph", "resourcegraphs"), 0) >= 1
    assert totals.get(("root", "tenants"), 0) >= 1
    assert ("instance", "tenants") not in totals
    assert ("instance", "resourcegraphs") not in totals


async def test_a_root_moving_to_another_graph_changes_hands(kapi: ApiClient, controller: Controller) -> None:
    await _setup(kapi, graph("a"), graph("b", data_key="owner"))
    await create(kapi, TENANTS, tenant("moving", "a", "moving-config"))
    await eventually(lambda: _data(kapi, "moving-config", {"team": "payments"}))
    code, out = await kapi.patch(f"{TENANTS}/moving", {"metadata": {"labels": {"kro.dev/graph": "b"}}})
    assert code == 200, out
    # graph a deletes its child; graph b makes its own, under the same name
    cm = await eventually(lambda: _data(kapi, "moving-config", {"owner": "payments"}))
    assert cm["metadata"]["labels"]["kro.dev/graph"] == "b"
    # graph a lets go of the root as graph b takes it: b keeps kro's finalizer on it
    await eventually(lambda: _finalized(kapi, f"{TENANTS}/moving"))


async def _finalized(kapi: ApiClient, path: str) -> bool:
    root = await get(kapi, path)
    return root is not None and root["metadata"].get("finalizers") == ["kro.dev/finalizer"]


async def _data(kapi: ApiClient, name: str, data: dict[str, str]) -> dict[str, Any] | None:
    cm = await get(kapi, core("configmaps", name))
    return cm if cm and cm.get("data") == data and not cm["metadata"].get("deletionTimestamp") else None


async def test_a_refused_child_is_sync_failed_on_the_root_and_failing_on_the_graph(
    kapi: ApiClient, controller: Controller
) -> None:
    await _setup(kapi, graph("strict"))
    await create(kapi, TENANTS, tenant("bad", "strict", "Not_A_Name"))
    status = await eventually(lambda: _failing(kapi, "strict"))
    assert status["roots"] == {"matched": 1, "synced": 0, "failing": 1}
    (entry,) = status["failingRoots"]
    assert entry["name"] == "bad" and entry["child"] == "config" and "Not_A_Name" in entry["message"]
    events = await eventually(lambda: _events(kapi, "bad", "SyncFailed"))
    assert events[0]["type"] == "Warning" and events[0]["message"].startswith("child config: ")


async def _failing(kapi: ApiClient, name: str) -> dict[str, Any] | None:
    rg = await get(kapi, f"{RGS}/{name}")
    status = (rg or {}).get("status") or {}
    return status if (status.get("roots") or {}).get("failing") == 1 else None


async def _events(kapi: ApiClient, name: str, reason: str) -> list[dict[str, Any]]:
    code, out = await kapi.get("/api/v1/events")
    assert code == 200
    return [e for e in out["items"] if e["involvedObject"]["name"] == name and e["reason"] == reason]


async def test_deleting_the_graph_lets_go_of_its_roots(kapi: ApiClient, controller: Controller) -> None:
    await _setup(kapi, graph("gone"))
    await create(kapi, TENANTS, tenant("left", "gone", "left-config"))
    await eventually(lambda: get(kapi, core("configmaps", "left-config")))
    code, out = await kapi.delete(f"{RGS}/gone")
    assert code == 200, out
    await eventually(lambda: _absent(kapi, f"{RGS}/gone"))
    root = await get(kapi, f"{TENANTS}/left")
    assert root is not None and not root["metadata"].get("finalizers")
    assert await get(kapi, core("configmaps", "left-config")) is not None


async def _absent(kapi: ApiClient, path: str) -> bool:
    return await get(kapi, path) is None


async def test_a_restarted_controller_finds_synced_roots_and_writes_nothing(
    kapi: ApiClient, kube: KubeClient
) -> None:
    ctrl, finish = await start_controller(kube, SETTINGS)
    try:
        await _setup(kapi, graph("steady"))
        for i in range(3):
            await create(kapi, TENANTS, tenant(f"t{i}", "steady", f"t{i}-config"))
        await eventually(lambda: _synced(kapi, "steady", 3))
    finally:
        await finish()
    before = dict(kube.stats.by_resource)
    ctrl, finish = await start_controller(kube, SETTINGS)
    try:
        # every root looked at again (the graph's counts are rebuilt from scratch)...
        await eventually(lambda: _results(ctrl, 3))
        # ...and nothing written: no apply, no finalizer, no Event, no status change
        writes = {
            k: n - before.get(k, 0)
            for k, n in kube.stats.by_resource.items()
            if n != before.get(k, 0) and k[0] not in ("get", "list", "watch", "discovery")
        }
        assert writes == {}, writes
    finally:
        await finish()


async def _synced(kapi: ApiClient, name: str, n: int) -> bool:
    rg = await get(kapi, f"{RGS}/{name}")
    return ((rg or {}).get("status") or {}).get("roots", {}).get("synced") == n


async def _results(ctrl: Controller, n: int) -> bool:
    served = ctrl.resourcegraphs._served.get("steady")
    return served is not None and sum(r.state == "Synced" for r in served.controller.results.values()) == n


NOTES = "/apis/kro.run/v1alpha1/namespaces/default/notes"


def note_rgd() -> dict[str, Any]:
    return {
        "apiVersion": "kro.run/v1alpha1", "kind": "ResourceGraphDefinition", "metadata": {"name": "notes"},
        "spec": {"schema": {"apiVersion": "v1alpha1", "kind": "Note", "spec": {"text": "string"}},
                 "resources": [{"id": "config", "template": {
                     "apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": "${schema.metadata.name}-note"}, "data": {"text": "${schema.spec.text}"}}}]},
    }  # fmt: skip


def graph_over_notes() -> dict[str, Any]:
    return {
        "apiVersion": "kro.dev/v1alpha1", "kind": "ResourceGraph", "metadata": {"name": "over-notes"},
        "spec": {"root": {"apiGroup": "kro.run", "kind": "Note"}, "children": [{
            "id": "copy",
            "template": {"apiVersion": "v1", "kind": "ConfigMap",
                         "metadata": {"name": "${root.metadata.name}-copy"}, "data": {"text": "${root.spec.text}"}},
        }]},
    }  # fmt: skip


async def _rejected_for_notes(kapi: ApiClient) -> dict[str, Any] | None:
    rg = await get(kapi, f"{RGS}/over-notes")
    accepted = condition(rg, "GraphAccepted")
    return rg if accepted.get("status") == "False" and "ResourceGraphDefinition 'notes'" in accepted["message"] else None


async def _check_rejected_and_inert(kapi: ApiClient) -> None:
    rg = await eventually(lambda: _rejected_for_notes(kapi))
    assert rg["status"]["state"] == "Inactive"
    message = condition(rg, "GraphAccepted")["message"]
    assert message.startswith("spec.root.kind: root kind Note (kro.run) belongs to ResourceGraphDefinition 'notes'")
    assert "two controllers" in message and "roots are served" not in message
    (event,) = await eventually(lambda: _conflict_events(kapi, "over-notes", "ValidationFailed"))
    assert event["type"] == "Warning" and event["message"] == message
    assert event["involvedObject"]["kind"] == "ResourceGraph"
    # the RGD says it too (kubectl describe rgd notes)
    (on_rgd,) = await eventually(lambda: _events(kapi, "notes", "ResourceGraphRejected"))
    assert on_rgd["type"] == "Warning" and on_rgd["involvedObject"]["kind"] == "ResourceGraphDefinition"
    assert on_rgd["message"].startswith("ResourceGraph over-notes names Note, this RGD's kind, as its root")
    # a Note that also names the graph is the RGD's instance alone: ACTIVE, the graph's child never made
    await create(kapi, NOTES, {"apiVersion": "kro.run/v1alpha1", "kind": "Note",
                               "metadata": {"name": "n1", "labels": {"kro.dev/graph": "over-notes"}},
                               "spec": {"text": "hi"}})  # fmt: skip
    note = await eventually(lambda: _active_note(kapi, "n1"))
    assert "kro.dev/finalizer" not in note["metadata"].get("finalizers", [])
    assert (await get(kapi, core("configmaps", "n1-note")) or {}).get("data") == {"text": "hi"}
    assert await get(kapi, core("configmaps", "n1-copy")) is None


async def _conflict_events(kapi: ApiClient, name: str, reason: str) -> list[dict[str, Any]]:
    return [e for e in await _events(kapi, name, reason) if "ResourceGraphDefinition 'notes'" in e["message"]]


async def _active_note(kapi: ApiClient, name: str) -> dict[str, Any] | None:
    note = await get(kapi, f"{NOTES}/{name}")
    return note if ((note or {}).get("status") or {}).get("state") == "ACTIVE" else None


async def test_a_graph_over_an_rgds_kind_is_rejected_naming_the_rgd(kapi: ApiClient, controller: Controller) -> None:
    await create(kapi, RGDS, note_rgd())
    await eventually(lambda: rgd_active(kapi, "notes"))
    await create(kapi, RGS, graph_over_notes())
    await _check_rejected_and_inert(kapi)


async def test_a_graph_whose_root_kind_an_rgd_generates_later_is_rejected_then(
    kapi: ApiClient, controller: Controller
) -> None:
    await create(kapi, RGS, graph_over_notes())
    first = await eventually(lambda: _state(kapi, "over-notes", "Inactive"))
    assert "unknown root kind 'Note'" in condition(first, "GraphAccepted")["message"]
    await create(kapi, RGDS, note_rgd())
    await eventually(lambda: rgd_active(kapi, "notes"))
    await _check_rejected_and_inert(kapi)


def web_graph() -> dict[str, Any]:
    """A graph whose Deployment is ready once it reports a ready replica: of the Deployment's status
    the graph reads ``readyReplicas`` and nothing else."""
    labels = {"app": "${root.metadata.name}"}
    return {
        "apiVersion": "kro.dev/v1alpha1", "kind": "ResourceGraph", "metadata": {"name": "webs"},
        "spec": {"root": {"apiGroup": "example.com", "kind": "Tenant"}, "children": [{
            "id": "web",
            "readyWhen": ["${web.status.?readyReplicas.orValue(0) >= 1}"],
            "template": {"apiVersion": "apps/v1", "kind": "Deployment",
                         "metadata": {"name": "${root.metadata.name}-web", "namespace": "default"},
                         "spec": {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}},
        }]},
    }  # fmt: skip


async def test_a_managed_child_status_change_no_expression_reads_queues_no_root_reconcile(
    kapi: ApiClient, controller: Controller
) -> None:
    await _setup(kapi, web_graph())
    await create(kapi, TENANTS, tenant("acme", "webs", "unused"))
    web = apps("deployments", "acme-web")

    async def ready() -> bool:
        obj = await get(kapi, web)
        return bool(obj and (obj.get("status") or {}).get("readyReplicas") == 1)

    await eventually(ready, timeout=15)
    await asyncio.sleep(0.5)  # let the reconciles the rollout queued finish
    before = reconciles(controller, controller="root", resource="tenants")

    # (not collisionCount: a Deployment's pod template hash counts it, so it starts a rollout)
    code, _ = await kapi.patch(f"{web}/status", {"status": {"updatedReplicas": 0}})
    assert code == 200
    await asyncio.sleep(1.0)
    assert reconciles(controller, controller="root", resource="tenants") == before

    code, _ = await kapi.patch(f"{web}/status", {"status": {"readyReplicas": 0}})
    assert code == 200

    async def looked_at_again() -> bool:
        return reconciles(controller, controller="root", resource="tenants") > before

    await eventually(looked_at_again)


def settings_graph() -> dict[str, Any]:
    """A graph whose child copies a value from a ConfigMap that a tenant names (an external reference)."""
    return {
        "apiVersion": "kro.dev/v1alpha1", "kind": "ResourceGraph", "metadata": {"name": "settings"},
        "spec": {"root": {"apiGroup": "example.com", "kind": "Tenant"}, "children": [
            {"id": "source",
             "externalRef": {"apiVersion": "v1", "kind": "ConfigMap",
                             "metadata": {"name": "${root.spec.configName}", "namespace": "default"}}},
            {"id": "copy",
             "template": {"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": "${root.metadata.name}-copy", "namespace": "default"},
                          "data": {"team": "${source.data.team}"}}},
        ]},
    }  # fmt: skip


async def test_a_change_of_what_an_external_reference_reads_reaches_the_roots_children(
    kapi: ApiClient, controller: Controller
) -> None:
    source = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "acme-source"}, "data": {"team": "a"}}
    await create(kapi, core("configmaps"), source)
    await _setup(kapi, settings_graph())
    await create(kapi, TENANTS, tenant("acme", "settings", "acme-source"))

    async def copied(team: str) -> bool:
        cm = await get(kapi, core("configmaps", "acme-copy"))
        return bool(cm and cm["data"] == {"team": team})

    await eventually(lambda: copied("a"), timeout=15)
    code, _ = await kapi.patch(core("configmaps", "acme-source"), {"data": {"team": "b"}})
    assert code == 200
    await eventually(lambda: copied("b"), timeout=10)
