"""The controller killed with SIGKILL at random points of a 50-instance Redis rollout and restarted
converges with every child present exactly once and nothing orphaned.

The kill moments come from a seeded RNG, so a failure replays with the same schedule. After
convergence, deleting some instances must remove exactly their children (and, through the server's
garbage collector, their pods) and leave every other object untouched.
"""

from __future__ import annotations

import asyncio
import random
import signal
import time
from collections import Counter
from typing import Any

import pytest

from kro.api.keys import Labels

from ..conftest import ApiClient
from ..controller.helpers import RGDS, apps, core, create, example, instances, rgd_active
from .conftest import StartController

pytestmark = pytest.mark.slow

SEED = 20261122
INSTANCES = 50
KILLS = 3
DELETED = 5
# Child kind -> the names an instance ``n`` owns of that kind.
CHILDREN: dict[str, Any] = {
    "ConfigMap": lambda n: {f"{n}-config"},
    "StatefulSet": lambda n: {n},
    "Service": lambda n: {n, f"{n}-headless"},
}
LISTS = {"ConfigMap": core("configmaps"), "StatefulSet": apps("statefulsets"), "Service": core("services")}


def redis(name: str) -> dict[str, Any]:
    body = example("redis", "instance.yaml")
    body["metadata"] = {"name": name, "namespace": "default"}
    return body


async def list_items(api: ApiClient, path: str) -> list[dict[str, Any]]:
    code, body = await api.get(path)
    assert code == 200, (path, code, body)
    items: list[dict[str, Any]] = body["items"]
    return items


async def snapshot(api: ApiClient) -> dict[tuple[str, str], dict[str, Any]]:
    """Every ConfigMap, StatefulSet and Service of namespace ``default`` by (kind, name)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, path in LISTS.items():
        for obj in await list_items(api, path):
            out[(kind, obj["metadata"]["name"])] = obj
    return out


async def states(api: ApiClient) -> dict[str, str]:
    return {
        o["metadata"]["name"]: (o.get("status") or {}).get("state", "")
        for o in await list_items(api, instances("redis"))
    }


async def children_made(api: ApiClient, names: list[str], goal: int) -> None:
    """Wait, polling often, until ``goal`` of the instances' children exist (a rollout makes its
    children in well under a second, so a slow poll would miss the moment)."""
    ours = {child for n in names for f in CHILDREN.values() for child in f(n)}
    deadline = time.monotonic() + 40
    while sum(name in ours for _, name in await snapshot(api)) < goal:
        assert time.monotonic() < deadline, f"{goal} children not made within 40s"
        await asyncio.sleep(0.02)


async def wait_for(check: Any, *, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.2)
    raise AssertionError(f"{what} not reached within {timeout}s (last: {last!r})")


def assert_children_exactly_once(
    objects: dict[tuple[str, str], dict[str, Any]], names: set[str], baseline: set[tuple[str, str]]
) -> None:
    """Each instance in ``names`` has exactly its four children, found both by name and by the
    ``kro.run/instance-name`` label; nothing else exists beyond ``baseline``."""
    expected = {(kind, child) for n in names for kind, f in CHILDREN.items() for child in f(n)}
    extra = set(objects) - expected - baseline
    assert not extra, f"objects that belong to no live instance: {sorted(extra)}"
    missing = expected - set(objects)
    assert not missing, f"missing children: {sorted(missing)}"
    by_label = Counter(
        (kind, (obj["metadata"].get("labels") or {}).get(Labels.INSTANCE_NAME))
        for (kind, _), obj in objects.items()
        if (kind, obj["metadata"]["name"]) not in baseline
    )
    for n in names:
        for kind, f in CHILDREN.items():
            assert by_label[(kind, n)] == len(f(n)), (n, kind, by_label[(kind, n)])
    assert sum(by_label.values()) == len(expected)


async def test_sigkill_during_rollout_converges_exactly_once(
    fapi: ApiClient, controller_process: StartController
) -> None:
    rng = random.Random(SEED)
    baseline = set(await snapshot(fapi))  # e.g. the ``kubernetes`` Service and kube-root-ca.crt
    proc = await controller_process()
    await create(fapi, RGDS, example("redis"))
    await wait_for(lambda: rgd_active(fapi, "redis"), timeout=20, what="RGD redis Active")

    names = [f"cache-{i:02d}" for i in range(INSTANCES)]
    started = time.monotonic()
    await asyncio.gather(*(create(fapi, instances("redis"), redis(n)) for n in names))

    # The first kill comes at a seeded point of the rollout's progress (some of the children made),
    # not of the clock, so a fast controller is still killed mid-rollout; later ones a seeded while
    # after each restart.
    made_goal = rng.randrange(INSTANCES // 5, INSTANCES * 2)
    active_at_kill: list[int] = []
    for k in range(KILLS):
        if k == 0:
            await children_made(fapi, names, made_goal)
        else:
            await asyncio.sleep(rng.uniform(0.2, 1.2))
        proc.send_signal(signal.SIGKILL)
        assert await proc.wait() == -signal.SIGKILL
        active_at_kill.append(sum(s == "ACTIVE" for s in (await states(fapi)).values()))
        proc = await controller_process()
    print(f"ACTIVE instances at each SIGKILL: {active_at_kill}")
    assert active_at_kill[0] < INSTANCES, "the first kill came after the rollout: it tested nothing"

    async def all_active() -> bool:
        current = await states(fapi)
        return len(current) == INSTANCES and all(s == "ACTIVE" for s in current.values())

    await wait_for(all_active, timeout=40, what=f"{INSTANCES} instances ACTIVE")
    print(f"converged {time.monotonic() - started:.1f}s after the creates, with {KILLS} kills")
    before = await snapshot(fapi)
    assert_children_exactly_once(before, set(names), baseline)
    for inst in await list_items(fapi, instances("redis")):
        assert inst["metadata"]["finalizers"].count("kro.run/finalizer") == 1, inst["metadata"]

    # Deleting five instances removes exactly their children; every other object stays as it was.
    doomed, kept = set(names[:DELETED]), set(names[DELETED:])
    for n in sorted(doomed):
        code, out = await fapi.delete(instances("redis", n))
        assert code in (200, 202), (n, code, out)

    async def deleted() -> bool:
        return set(await states(fapi)) == kept and not any(
            key[1] in {c for n in doomed for f in CHILDREN.values() for c in f(n)}
            for key in await snapshot(fapi)
        )

    await wait_for(deleted, timeout=20, what="deleted instances and their children gone")
    after = await snapshot(fapi)
    assert_children_exactly_once(after, kept, baseline)
    for key, obj in after.items():
        assert obj["metadata"]["uid"] == before[key]["metadata"]["uid"], f"{key} was replaced"

    async def no_orphan_pods() -> bool:
        pods = await list_items(fapi, core("pods"))
        owners = [(p["metadata"].get("ownerReferences") or [{}])[0].get("name") for p in pods]
        return len(owners) == len(kept) and set(owners) == kept  # one pod per StatefulSet

    await wait_for(no_orphan_pods, timeout=15, what="pods only of the remaining StatefulSets")
