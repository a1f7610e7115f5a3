"""Graph revisions: one immutable, numbered GraphRevision per change of an RGD's normalized spec,
compiled and marked verified or failed, numbered monotonically across pruning and restarts, pruned
past retention, shown by ``kubectl get gr``."""

from __future__ import annotations

import asyncio
import copy
from dataclasses import replace
from typing import Any

from kro.devcluster import DevServer
from kro.kube import KubeClient

from ..conftest import KUBECTL, ApiClient
from .conftest import SETTINGS, eventually, start_controller
from .helpers import RGDS, condition, create, get, replace_spec
from .test_graph_changes import BASE, app_rgd, configmap

GRS = "/apis/internal.kro.run/v1alpha1/graphrevisions"


async def revisions(api: ApiClient) -> dict[int, dict[str, Any]]:
    code, body = await api.get(f"{GRS}?labelSelector=kro.run/resource-graph-definition-name=app")
    assert code == 200, body
    return {r["spec"]["revision"]: r for r in body["items"]}


async def verified(api: ApiClient, number: int) -> dict[str, Any] | None:
    found = (await revisions(api)).get(number)
    return found if found and condition(found, "GraphVerified").get("status") in ("True", "False") else None


def with_value(value: str) -> dict[str, Any]:
    return app_rgd([{"id": "base", "template": configmap("${schema.metadata.name}-base", role=value)}])


async def resolved(api: ApiClient, number: int) -> dict[str, Any] | None:
    """The RGD once it says revision ``number`` serves."""
    rgd = await get(api, f"{RGDS}/app")
    message = condition(rgd, "GraphRevisionsResolved").get("message")
    return rgd if message == f"revision {number} compiled and active" else None


async def kubectl(cluster: DevServer, *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        str(KUBECTL), "--kubeconfig", str(cluster.kubeconfig_path), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return out.decode()


async def test_a_revision_per_spec_change_and_none_for_reordered_keys(
    kapi: ApiClient, kube: KubeClient, cluster: DevServer
) -> None:
    _, finish = await start_controller(kube, SETTINGS)
    try:
        await create(kapi, RGDS, app_rgd([BASE]))
        first = await eventually(lambda: verified(kapi, 1))
        assert first["metadata"]["name"] == "app-r00001"
        assert first["spec"]["snapshot"]["name"] == "app"
        assert first["spec"]["snapshot"]["generation"] == 1
        rgd = await get(kapi, f"{RGDS}/app")
        assert rgd is not None and first["spec"]["snapshot"]["spec"] == rgd["spec"]
        labels = first["metadata"]["labels"]
        assert labels["kro.run/resource-graph-definition-name"] == "app"
        assert labels["kro.run/owned"] == "true"
        assert len(labels["kro.run/graph-revision-hash"]) == 16
        owner = first["metadata"]["ownerReferences"][0]
        assert (owner["kind"], owner["name"], owner["uid"], owner["controller"]) == (
            "ResourceGraphDefinition", "app", rgd["metadata"]["uid"], True,
        )  # fmt: skip
        c = condition(first, "GraphVerified")
        assert (c["status"], c["reason"], c["message"]) == ("True", "Verified", "graph revision compiled and verified")
        assert condition(first, "Ready")["status"] == "True"
        assert first["status"]["topologicalOrder"] == ["base"]

        # the same spec with its keys in another order and an explicit default: a new generation,
        # no new revision
        reordered = copy.deepcopy(rgd["spec"])
        reordered["schema"] = dict(reversed(list(reordered["schema"].items())))
        reordered["resources"][0]["template"]["data"] = {"role": "base"}
        reordered["resources"][0]["readyWhen"] = []
        await replace_spec(kapi, f"{RGDS}/app", reordered)
        await asyncio.sleep(1.0)
        assert sorted(await revisions(kapi)) == [1]

        # a real change: revision 2, served
        await replace_spec(kapi, f"{RGDS}/app", with_value("changed")["spec"])
        second = await eventually(lambda: verified(kapi, 2))
        assert second["spec"]["snapshot"]["generation"] == 3
        assert second["metadata"]["labels"]["kro.run/graph-revision-hash"] != labels["kro.run/graph-revision-hash"]
        rgd = await eventually(lambda: resolved(kapi, 2))
        assert rgd["status"]["lastIssuedRevision"] == 2 and rgd["status"]["state"] == "Active"

        # the spec is immutable: the API server says so
        second["spec"]["revision"] = 7
        code, body = await kapi.put(f"{GRS}/app-r00002", second)
        assert code == 422 and "spec is immutable" in body["message"], body

        # kubectl get gr: NAME, REVISION, READY, AGE; -o wide adds the RGD and the hash
        table = (await kubectl(cluster, "get", "gr")).splitlines()
        assert table[0].split() == ["NAME", "REVISION", "READY", "AGE"]
        assert table[1].split()[:3] == ["app-r00001", "1", "True"]
        wide = (await kubectl(cluster, "get", "graphrevisions", "-o", "wide")).splitlines()
        assert wide[0].split() == ["NAME", "RGD", "REVISION", "HASH", "READY", "AGE"]
        assert wide[2].split()[:5] == ["app-r00002", "app", "2", second["metadata"]["labels"]["kro.run/graph-revision-hash"], "True"]
    finally:
        await finish()


async def test_numbers_survive_pruning_and_restarts(kapi: ApiClient, kube: KubeClient) -> None:
    settings = replace(SETTINGS, max_graph_revisions=2)
    _, finish = await start_controller(kube, settings)
    try:
        await create(kapi, RGDS, with_value("v1"))
        await eventually(lambda: verified(kapi, 1))
        for n in (2, 3, 4):
            await replace_spec(kapi, f"{RGDS}/app", with_value(f"v{n}")["spec"])
            await eventually(lambda n=n: verified(kapi, n))  # type: ignore[misc]
        # retention: the two newest are kept
        await eventually(lambda: _keys_are(revisions(kapi), [3, 4]))
    finally:
        await finish()

    # back to an old spec, while no controller runs: after the restart it is a new revision, 5
    await replace_spec(kapi, f"{RGDS}/app", with_value("v1")["spec"])
    _, finish = await start_controller(kube, settings)
    try:
        await eventually(lambda: verified(kapi, 5))
        await eventually(lambda: _keys_are(revisions(kapi), [4, 5]))
        rgd = await eventually(lambda: resolved(kapi, 5))
        assert rgd["status"]["lastIssuedRevision"] == 5
    finally:
        await finish()

    # every revision gone (pruned by hand): numbering continues from status.lastIssuedRevision
    for number in (4, 5):
        code, _ = await kapi.delete(f"{GRS}/app-r{number:05d}")
        assert code == 200
    await replace_spec(kapi, f"{RGDS}/app", with_value("v6")["spec"])
    _, finish = await start_controller(kube, settings)
    try:
        await eventually(lambda: verified(kapi, 6))
    finally:
        await finish()


async def test_the_revision_serving_instances_is_never_pruned(kapi: ApiClient, kube: KubeClient) -> None:
    settings = replace(SETTINGS, max_graph_revisions=1)
    _, finish = await start_controller(kube, settings)
    try:
        await create(kapi, RGDS, with_value("good"))
        await eventually(lambda: verified(kapi, 1))
        broken = {"id": "broken", "template": configmap("x", value="${schema.spec.nope}")}
        for n in (2, 3):
            await replace_spec(kapi, f"{RGDS}/app", app_rgd([BASE, {**broken, "id": f"broken{n}"}])["spec"])
            failed = await eventually(lambda n=n: verified(kapi, n))  # type: ignore[misc]
            c = condition(failed, "GraphVerified")
            assert (c["status"], c["reason"]) == ("False", "InvalidGraph")
            assert "spec.resources[1].template.data.value" in c["message"] and "nope" in c["message"]
            assert condition(failed, "Ready")["status"] == "False"
        # revision 2 is past retention; 1 serves the instances, 3 is the newest
        await eventually(lambda: _keys_are(revisions(kapi), [1, 3]))
        table = await kubectl_table(kapi)
        assert table == {1: "True", 3: "False"}
    finally:
        await finish()


async def test_deleting_the_rgd_deletes_its_revisions(kapi: ApiClient, kube: KubeClient) -> None:
    _, finish = await start_controller(kube, SETTINGS)
    try:
        await create(kapi, RGDS, app_rgd([BASE]))
        await eventually(lambda: verified(kapi, 1))
        code, _ = await kapi.delete(f"{RGDS}/app")
        assert code == 200  # held by kro's finalizer until the controller lets it go
        await eventually(lambda: _keys_are(revisions(kapi), []))
    finally:
        await finish()


async def kubectl_table(api: ApiClient) -> dict[int, str]:
    return {n: condition(r, "Ready").get("status", "") for n, r in (await revisions(api)).items()}


async def _keys_are(found: Any, expected: list[int]) -> bool:
    return sorted(await found) == expected


async def test_an_rgd_created_again_adopts_its_orphaned_revisions(kapi: ApiClient, kube: KubeClient) -> None:
    _, finish = await start_controller(kube, SETTINGS)
    try:
        await create(kapi, RGDS, with_value("v1"))
        await eventually(lambda: verified(kapi, 1))
        code, _ = await kapi.delete(f"{RGDS}/app?propagationPolicy=Orphan")
        assert code == 200
        await eventually(lambda: _gone(get(kapi, f"{RGDS}/app")))
        orphan = (await revisions(kapi))[1]
        assert not orphan["metadata"].get("ownerReferences")  # the orphan policy let it go

        recreated = await create(kapi, RGDS, with_value("v2"))
        await eventually(lambda: verified(kapi, 2))  # numbering goes on from the history it adopted
        found = await revisions(kapi)
        for number in (1, 2):
            (owner,) = found[number]["metadata"]["ownerReferences"]
            assert owner["uid"] == recreated["metadata"]["uid"]
    finally:
        await finish()


async def _gone(found: Any) -> bool:
    return await found is None
