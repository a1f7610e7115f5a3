"""A change to an instance that would change an immutable field of a child (a StatefulSet's
``serviceName``): the API server refuses the apply, as a real cluster does, and the user sees why on
the instance (state ERROR, the refusal in its conditions) and in a Warning Event; the child is
left as it was."""

from __future__ import annotations

from typing import Any

from kro.kube import KubeClient

from ..conftest import ApiClient
from .conftest import SETTINGS, eventually, start_controller
from .helpers import RGDS, apps, condition, create, get, instances, rgd_active

DBS = {
    "apiVersion": "kro.run/v1alpha1", "kind": "ResourceGraphDefinition", "metadata": {"name": "dbs"},
    "spec": {
        "schema": {"apiVersion": "v1alpha1", "kind": "Db", "spec": {"service": 'string | default="db"'}},
        "resources": [{"id": "sts", "template": {
            "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "${schema.metadata.name}"},
            "spec": {"serviceName": "${schema.spec.service}",
                     "selector": {"matchLabels": {"app": "${schema.metadata.name}"}},
                     "template": {"metadata": {"labels": {"app": "${schema.metadata.name}"}},
                                  "spec": {"containers": [{"name": "db", "image": "postgres"}]}}},
        }}],
    },
}  # fmt: skip
REFUSAL = "spec: Forbidden: updates to statefulset spec for fields other than"


async def _state(kapi: ApiClient, state: str) -> dict[str, Any] | None:
    db = await get(kapi, instances("dbs", "d1"))
    return db if ((db or {}).get("status") or {}).get("state") == state else None


async def test_a_change_a_child_may_not_take_is_reported_on_the_instance(kapi: ApiClient, kube: KubeClient) -> None:
    _, finish = await start_controller(kube, SETTINGS)
    try:
        await create(kapi, RGDS, DBS)
        await eventually(lambda: rgd_active(kapi, "dbs"))
        await create(kapi, instances("dbs"), {"apiVersion": "kro.run/v1alpha1", "kind": "Db",
                                              "metadata": {"name": "d1"}, "spec": {}})
        await eventually(lambda: _state(kapi, "ACTIVE"), timeout=20)
        status, body = await kapi.patch(instances("dbs", "d1"), {"spec": {"service": "other"}})
        assert status == 200, body
        db = await eventually(lambda: _state(kapi, "ERROR"), timeout=20)
        assert REFUSAL in condition(db, "ResourcesReady").get("message", ""), db["status"]
        sts: Any = await get(kapi, apps("statefulsets", "d1"))
        assert sts["spec"]["serviceName"] == "db"
        _, events = await kapi.get("/api/v1/namespaces/default/events")
        warnings = [e for e in events["items"] if e["involvedObject"]["name"] == "d1" and e["type"] == "Warning"]
        assert any(REFUSAL in e["message"] for e in warnings), warnings
    finally:
        await finish()
