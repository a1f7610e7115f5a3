"""The Job example (``examples/job``, upstream kro's job example in our words): the Job's
``readyWhen: ${job.status.completionTime != null}`` holds the Deployment back until the simulated
Job completes, then the instance turns ACTIVE."""

from __future__ import annotations

from typing import Any

from kro.controller.app import Controller

from ..conftest import ApiClient
from .conftest import eventually
from .helpers import RGDS, apps, condition, create, example, get, instances, rgd_active

SHOPS = instances("migratedapps", "shop")


async def test_job_example_is_active_once_its_job_completes(kapi: ApiClient, controller: Controller) -> None:
    await create(kapi, RGDS, example("job"))
    await eventually(lambda: rgd_active(kapi, "migrated-app"))
    shop = example("job", "instance.yaml")
    shop["spec"]["migrationSeconds"] = 0
    await create(kapi, instances("migratedapps"), shop)

    async def active() -> dict[str, Any] | None:
        obj = await get(kapi, SHOPS)
        return obj if ((obj or {}).get("status") or {}).get("state") == "ACTIVE" else None

    obj = await eventually(active, timeout=30)
    job = await get(kapi, "/apis/batch/v1/namespaces/default/jobs/shop-migrate")
    assert job is not None
    status = job["status"]
    assert status["succeeded"] == 1 and status["completionTime"]
    done = {c["type"]: (c["status"], c["reason"]) for c in status["conditions"]}
    assert done == {"SuccessCriteriaMet": ("True", "CompletionsReached"), "Complete": ("True", "CompletionsReached")}
    deployment = await get(kapi, apps("deployments", "shop"))
    assert deployment is not None
    assert deployment["metadata"]["annotations"]["example.kro.run/migrated-by"] == "shop-migrate"
    # the Deployment came after the Job had completed
    assert deployment["metadata"]["creationTimestamp"] >= status["completionTime"]
    assert obj["status"]["migratedAt"] == status["completionTime"]
    assert condition(obj, "Ready")["status"] == "True"
    assert condition(obj, "ResourcesReady")["message"] == "all resources are created and ready"
