"""``kro status``: the instance's graph with node states, read from the cluster."""

from __future__ import annotations

import asyncio
import copy

from click.testing import CliRunner
from rich.console import Console

from kro.cli.cmd_status import read_status, status_tree
from kro.cli.main import cli
from kro.controller.app import Controller
from kro.devcluster import DevServer

from ..conftest import ApiClient
from .conftest import eventually
from .helpers import RGDS, create, get, instances, replace_spec, rgd_active

WAITING = {
    "apiVersion": "kro.run/v1alpha1",
    "kind": "ResourceGraphDefinition",
    "metadata": {"name": "shop"},
    "spec": {
        "schema": {"apiVersion": "v1alpha1", "kind": "Shop", "spec": {}},
        "resources": [
            {
                "id": "settings",
                "externalRef": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "platform"}},
            },
            {
                "id": "app",
                "template": {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "${schema.metadata.name}-app"},
                    "data": {"region": "${settings.data.region}"},
                },
            },
        ],
    },
}


async def test_status_names_what_the_instance_waits_on(
    kapi: ApiClient, controller: Controller, cluster: DevServer
) -> None:
    await create(kapi, RGDS, WAITING)
    await eventually(lambda: rgd_active(kapi, "shop"))
    await create(
        kapi,
        instances("shops"),
        {
            "apiVersion": "kro.run/v1alpha1",
            "kind": "Shop",
            "metadata": {"name": "s1", "namespace": "default"},
            "spec": {},
        },
    )

    async def waiting() -> dict | None:  # type: ignore[type-arg]
        obj = await get(kapi, instances("shops", "s1"))
        return obj if ((obj or {}).get("status") or {}).get("state") == "IN_PROGRESS" else None

    inst = await eventually(waiting)
    ready = next(c for c in inst["status"]["conditions"] if c["type"] == "ResourcesReady")
    assert ready["message"] == "waiting for settings: external ConfigMap/default/platform not found"

    graph, instance, plan = await read_status(
        "shop", "s1", namespace="default", kubeconfig=str(cluster.kubeconfig_path), context=None
    )
    console = Console(record=True, width=120, color_system=None)
    console.print(status_tree(graph, instance, plan))
    text = console.export_text()
    assert "Shop/default/s1  IN_PROGRESS" in text
    assert "settings ConfigMap · external  WAITING_FOR_READINESS" in text
    assert "external ConfigMap/default/platform not found" in text
    assert "app ConfigMap  WAITING_FOR_READINESS" in text
    assert "waiting for dependency settings" in text

    # piped (not a terminal, 80 columns by default): one logical line per line, no padding
    args = ["status", "shop/s1", "--kubeconfig", str(cluster.kubeconfig_path)]
    result = await asyncio.to_thread(CliRunner().invoke, cli, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "Shop/default/s1  IN_PROGRESS  Ready=False: "
        "waiting for settings: external ConfigMap/default/platform not found"
    )
    assert lines[1:] == [
        "reconciled with graph revision 1 of ResourceGraphDefinition shop, its newest",
        "└── settings ConfigMap · external  WAITING_FOR_READINESS",
        "    external ConfigMap/default/platform not found",
        "    └── app ConfigMap  WAITING_FOR_READINESS",
        "        waiting for dependency settings",
    ]
    assert all(line == line.rstrip() for line in lines)

    # the external appears: the instance picks it up on its next look (externals are polled)
    await create(
        kapi,
        "/api/v1/namespaces/default/configmaps",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "platform"}, "data": {"region": "eu"}},
    )

    async def active() -> dict | None:  # type: ignore[type-arg]
        obj = await get(kapi, instances("shops", "s1"))
        return obj if ((obj or {}).get("status") or {}).get("state") == "ACTIVE" else None

    await eventually(active, timeout=5)
    app = await get(kapi, "/api/v1/namespaces/default/configmaps/s1-app")
    assert app is not None and app["data"] == {"region": "eu"}
    graph, instance, plan = await read_status(
        "shops", "s1", namespace="default", kubeconfig=str(cluster.kubeconfig_path), context=None
    )
    console = Console(record=True, width=120, color_system=None)
    console.print(status_tree(graph, instance, plan))
    text = console.export_text()
    print(text)
    assert "Shop/default/s1  ACTIVE  Ready=True" in text
    assert "app ConfigMap  SYNCED  s1-app" in text

    # a change to the external reaches the dependent even though the instance was converged
    code, _ = await kapi.patch("/api/v1/namespaces/default/configmaps/platform", {"data": {"region": "us"}})
    assert code == 200

    async def followed() -> bool:
        cm = await get(kapi, "/api/v1/namespaces/default/configmaps/s1-app")
        return bool(cm and cm["data"] == {"region": "us"})

    await eventually(followed, timeout=2)



NAMED = {
    "apiVersion": "kro.run/v1alpha1",
    "kind": "ResourceGraphDefinition",
    "metadata": {"name": "named"},
    "spec": {
        "schema": {"apiVersion": "v1alpha1", "kind": "Named", "spec": {"name": "string"}},
        "resources": [
            {
                "id": "config",
                "template": {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "${schema.spec.name}"},
                    "data": {"owner": "${schema.metadata.name}"},
                },
            }
        ],
    },
}


async def test_status_shows_a_node_whose_write_the_server_refuses_as_error_with_its_answer(
    kapi: ApiClient, controller: Controller, cluster: DevServer
) -> None:
    await create(kapi, RGDS, NAMED)
    await eventually(lambda: rgd_active(kapi, "named"))
    await create(
        kapi,
        instances("nameds"),
        {
            "apiVersion": "kro.run/v1alpha1",
            "kind": "Named",
            "metadata": {"name": "bad", "namespace": "default"},
            "spec": {"name": "Bad_Name"},
        },
    )

    async def failed() -> dict | None:  # type: ignore[type-arg]
        obj = await get(kapi, instances("nameds", "bad"))
        return obj if ((obj or {}).get("status") or {}).get("state") == "ERROR" else None

    await eventually(failed)
    args = ["status", "named/bad", "--kubeconfig", str(cluster.kubeconfig_path)]
    result = await asyncio.to_thread(CliRunner().invoke, cli, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Named/default/bad  ERROR  Ready=False: config: applying ConfigMap/default/Bad_Name: 422")
    assert lines[1] == "reconciled with graph revision 1 of ResourceGraphDefinition named, its newest"
    assert lines[2] == "└── config ConfigMap  ERROR  Bad_Name"
    assert lines[3].startswith(
        '    applying ConfigMap/default/Bad_Name: 422 Invalid: ConfigMap "Bad_Name" is invalid: metadata.name: '
    )
    # the dry run created nothing
    assert await get(kapi, "/api/v1/namespaces/default/configmaps/Bad_Name") is None


async def test_status_shows_the_revision_an_instance_runs_when_the_newest_fails(
    kapi: ApiClient, controller: Controller, cluster: DevServer
) -> None:
    rgd = copy.deepcopy(WAITING)
    rgd["spec"]["resources"] = rgd["spec"]["resources"][1:]
    rgd["spec"]["resources"][0]["template"]["data"] = {"region": "eu"}
    await create(kapi, RGDS, rgd)
    await eventually(lambda: rgd_active(kapi, "shop"))
    shop = {"apiVersion": "kro.run/v1alpha1", "kind": "Shop", "metadata": {"name": "s2", "namespace": "default"}}
    await create(kapi, instances("shops"), {**shop, "spec": {}})
    await eventually(lambda: get(kapi, "/api/v1/namespaces/default/configmaps/s2-app"))

    broken = copy.deepcopy(rgd["spec"])
    broken["resources"][0]["template"]["data"] = {"region": "${nowhere.data.region}"}
    await replace_spec(kapi, f"{RGDS}/shop", broken)

    async def held_back() -> bool:
        obj = await get(kapi, instances("shops", "s2"))
        return any(
            c["type"] == "GraphRevisionCurrent" and c["status"] == "False"
            for c in ((obj or {}).get("status") or {}).get("conditions") or []
        )

    await eventually(held_back)
    args = ["status", "shop/s2", "--kubeconfig", str(cluster.kubeconfig_path)]
    result = await asyncio.to_thread(CliRunner().invoke, cli, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Shop/default/s2  ACTIVE  Ready=True"
    assert lines[1] == (
        "reconciled with graph revision 1 of ResourceGraphDefinition shop: its newest revision, 2, "
        "does not compile (kubectl describe gr shop-r00002)"
    )
    assert lines[2] == "└── app ConfigMap  SYNCED  s2-app"
