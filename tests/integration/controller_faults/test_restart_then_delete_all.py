"""A controller restarted during a rollout must still be able to delete everything afterwards.

kube-apiserver's LIST answers carry no ``apiVersion``/``kind`` in the items of a built-in kind (only
single objects and watch events do), and the local API server lists the same way. After a restart,
a controller's caches are filled by LISTs, so a controller that took an object's kind from the
object itself would no longer know what its children are: deleting the instances then hangs with
every instance ``DELETING`` and every child left in place. This test restarts the controller with
SIGKILL while the instances roll out, lets it converge, deletes every instance at once (``kubectl
delete redis --all``) and requires every child and every instance to be gone.
"""

from __future__ import annotations

import asyncio
import random
import signal

import pytest

from ..conftest import ApiClient
from ..controller.helpers import RGDS, create, example, instances, rgd_active
from .conftest import StartController
from .test_sigkill_rollout import CHILDREN, LISTS, list_items, redis, snapshot, states, wait_for

pytestmark = pytest.mark.slow

SEED = 20261204
INSTANCES = 30
KILLS = 2


async def test_restart_during_rollout_then_delete_all(fapi: ApiClient, controller_process: StartController) -> None:
    rng = random.Random(SEED)
    baseline = set(await snapshot(fapi))
    proc = await controller_process()
    await create(fapi, RGDS, example("redis"))
    await wait_for(lambda: rgd_active(fapi, "redis"), timeout=20, what="RGD redis Active")
    names = [f"r{i:02d}" for i in range(INSTANCES)]
    await asyncio.gather(*(create(fapi, instances("redis"), redis(n)) for n in names))

    for _ in range(KILLS):
        await asyncio.sleep(rng.uniform(0.3, 1.0))
        proc.send_signal(signal.SIGKILL)
        assert await proc.wait() == -signal.SIGKILL
        proc = await controller_process()

    async def all_active() -> bool:
        current = await states(fapi)
        return len(current) == INSTANCES and all(s == "ACTIVE" for s in current.values())

    await wait_for(all_active, timeout=60, what=f"{INSTANCES} instances ACTIVE")
    # The server lists like kube-apiserver: the children's list items say nothing of their kind.
    for path in LISTS.values():
        for item in await list_items(fapi, path):
            assert "kind" not in item and "apiVersion" not in item, item["metadata"]["name"]

    # One more restart after convergence: every cache of the new process comes from a LIST.
    proc.send_signal(signal.SIGKILL)
    await proc.wait()
    await controller_process()
    code, out = await fapi.delete(instances("redis"))  # kubectl delete redis --all
    assert code == 200, (code, out)

    children = {child for n in names for f in CHILDREN.values() for child in f(n)}

    async def everything_gone() -> bool:
        left_children = {key for key in await snapshot(fapi) if key not in baseline and key[1] in children}
        left_instances = await states(fapi)
        return not left_children and not left_instances

    try:
        await wait_for(everything_gone, timeout=40, what="every instance and child deleted")
    except AssertionError:
        stuck = {n: s for n, s in (await states(fapi)).items()}
        left = sorted(key for key in await snapshot(fapi) if key not in baseline and key[1] in children)
        raise AssertionError(f"deletion hung: instances {stuck}, children left {left[:10]}…") from None
