"""Lease-based leader election with two candidates against the local API server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from kro.kube import KubeClient, LeaderElectionConfig, LeaderElector
from kro.kube.leaderelection import LEASES


def fast(identity: str) -> LeaderElectionConfig:
    return LeaderElectionConfig(
        name="kro-test",
        namespace="default",
        identity=identity,
        lease_duration=1.0,
        renew_deadline=0.6,
        retry_period=0.1,
    )


class Candidate:
    def __init__(self, client: KubeClient, identity: str) -> None:
        self.leading = asyncio.Event()
        self.stopped = asyncio.Event()
        self.work_cancelled = False
        self.elector = LeaderElector(
            client, fast(identity), on_started_leading=self._lead, on_stopped_leading=self.stopped.set
        )
        self.task: asyncio.Task[None] | None = None

    async def _lead(self) -> None:
        self.leading.set()
        try:
            await asyncio.Event().wait()  # lead until cancelled
        except asyncio.CancelledError:
            self.work_cancelled = True
            raise

    def start(self) -> None:
        self.task = asyncio.create_task(self.elector.run())

    async def shutdown(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_one_of_two_candidates_leads_and_the_other_takes_over_on_release(client: KubeClient) -> None:
    a, b = Candidate(client, "a"), Candidate(client, "b")
    a.start()
    await asyncio.wait_for(a.leading.wait(), 5)
    b.start()
    await asyncio.sleep(0.5)  # several of b's retry periods
    assert a.elector.is_leader and not b.elector.is_leader
    assert b.elector.leader == "a"
    lease = await client.get(LEASES, "kro-test", namespace="default")
    assert lease["spec"]["holderIdentity"] == "a"
    released_at = asyncio.get_running_loop().time()
    await a.shutdown()
    assert a.stopped.is_set() and a.work_cancelled
    await asyncio.wait_for(b.leading.wait(), 5)
    # The release lets b in well before the 1 s lease would have expired.
    assert asyncio.get_running_loop().time() - released_at < 0.9
    lease = await client.get(LEASES, "kro-test", namespace="default")
    assert lease["spec"]["holderIdentity"] == "b"
    assert lease["spec"]["leaseTransitions"] == 1
    await b.shutdown()


async def test_a_leader_that_cannot_renew_steps_down(client: KubeClient) -> None:
    a = Candidate(client, "a")
    a.start()
    await asyncio.wait_for(a.leading.wait(), 5)
    lease = await client.get(LEASES, "kro-test", namespace="default")
    lease["spec"]["holderIdentity"] = "usurper"  # someone else's valid claim
    lease["spec"]["leaseDurationSeconds"] = 60
    await client.replace(LEASES, lease)
    await asyncio.wait_for(a.stopped.wait(), 5)
    assert a.work_cancelled and not a.elector.is_leader
    assert a.task is not None
    await asyncio.wait_for(a.task, 1)  # run() returns after losing the lease
    lease = await client.get(LEASES, "kro-test", namespace="default")
    assert lease["spec"]["holderIdentity"] == "usurper"  # not released: it was not ours any more


async def test_an_expired_lease_of_a_vanished_leader_is_taken_over(client: KubeClient) -> None:
    await client.create(
        LEASES,
        {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": "kro-test", "namespace": "default"},
            "spec": {
                "holderIdentity": "crashed",
                "leaseDurationSeconds": 1,
                "renewTime": "2020-01-01T00:00:00.000000Z",
                "acquireTime": "2020-01-01T00:00:00.000000Z",
            },
        },
    )
    b = Candidate(client, "b")
    b.start()
    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(b.leading.wait(), 5)
    # Expiry is judged from when b first saw the record, not from its (old) renewTime.
    assert asyncio.get_running_loop().time() - started >= 0.9
    await b.shutdown()
