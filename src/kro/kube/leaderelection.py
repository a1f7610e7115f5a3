"""Leader election on a ``coordination.k8s.io/v1`` Lease, so only one controller replica acts.

The algorithm is client-go's, so replicas of this controller and of any Go controller agree on the
record: a candidate takes the Lease when it is absent, released (no holder) or expired, and the
leader renews it every ``retry_period``. Expiry is judged by *local* observation (the time this
candidate last saw the record change plus ``leaseDurationSeconds``), never by comparing the
record's timestamps with the local wall clock, so clock skew between nodes cannot split the brain.
A leader that cannot renew within ``renew_deadline`` steps down; on shutdown it releases the Lease
(empty holder) so a successor takes over at once instead of waiting for expiry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kro.api.refs import GVR
from kro.kube.client import KubeClient
from kro.kube.clock import SYSTEM_CLOCK, Clock
from kro.kube.errors import AlreadyExists, Conflict, KubeError, NotFound

log = logging.getLogger("kro.kube.leaderelection")

LEASES = GVR("coordination.k8s.io", "v1", "leases")


def default_identity() -> str:
    return f"{socket.gethostname()}_{uuid.uuid4()}"


@dataclass(frozen=True)
class LeaderElectionConfig:
    """Where the Lease lives and the timings (defaults: kro's 15 s / 10 s / 2 s)."""

    name: str = "controller.kro.run"
    namespace: str = "kro-system"
    identity: str = field(default_factory=default_identity)
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0
    release_on_cancel: bool = True

    def __post_init__(self) -> None:
        if not (self.lease_duration > self.renew_deadline > self.retry_period > 0):
            raise ValueError("leader election needs lease_duration > renew_deadline > retry_period > 0")


def _micro_time(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LeaderElector:
    """Campaigns for the Lease and runs ``on_started_leading`` while it holds it.

    ``on_started_leading`` is a coroutine function run as a task once the Lease is held and cancelled
    when leadership ends; ``on_stopped_leading`` is called when it ends (lost or shut down);
    ``on_new_leader`` whenever another holder is observed."""

    def __init__(
        self,
        client: KubeClient,
        config: LeaderElectionConfig,
        *,
        on_started_leading: Callable[[], Awaitable[None]],
        on_stopped_leading: Callable[[], None] | None = None,
        on_new_leader: Callable[[str], None] | None = None,
        clock: Clock = SYSTEM_CLOCK,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.config = config
        self._on_started = on_started_leading
        self._on_stopped = on_stopped_leading
        self._on_new_leader = on_new_leader
        self._clock = clock
        self._rng = rng or random.Random()
        self._observed: Mapping[str, Any] = {}
        self._observed_at = 0.0
        self._leading = False
        self.leader = ""

    @property
    def identity(self) -> str:
        return self.config.identity

    @property
    def is_leader(self) -> bool:
        return self._leading

    async def run(self) -> None:
        """Campaign, then lead until the Lease is lost, ``on_started_leading`` returns, or this is
        cancelled. Returns (or re-raises the cancellation) after stepping down."""
        lead: asyncio.Task[None] | None = None
        try:
            await self._acquire()
            self._leading = True
            log.info(
                "%s: became leader of lease %s/%s", self.identity, self.config.namespace, self.config.name
            )
            lead = asyncio.get_running_loop().create_task(self._run_leading())
            await self._renew(lead)
        finally:
            if lead is not None:
                lead.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await lead
            was_leading, self._leading = self._leading, False
            if was_leading:
                if self.config.release_on_cancel:
                    await asyncio.shield(self._release())
                if self._on_stopped is not None:
                    self._on_stopped()

    async def _run_leading(self) -> None:
        try:
            await self._on_started()
        except Exception:
            log.exception("%s: the leader's work failed", self.identity)

    async def _acquire(self) -> None:
        while True:
            if await self._attempt():
                return
            await self._clock.sleep(self.config.retry_period * (1 + 1.2 * self._rng.random()))

    async def _renew(self, lead: asyncio.Task[None]) -> None:
        cfg = self.config
        while True:
            deadline = self._clock.now() + cfg.renew_deadline
            while not await self._attempt():
                if self._clock.now() + cfg.retry_period >= deadline:
                    log.warning(
                        "%s: could not renew lease %s/%s in time; stepping down",
                        self.identity,
                        cfg.namespace,
                        cfg.name,
                    )
                    return
                await self._clock.sleep(cfg.retry_period)
            pause = asyncio.get_running_loop().create_task(self._clock.sleep(cfg.retry_period))
            await asyncio.wait({lead, pause}, return_when=asyncio.FIRST_COMPLETED)
            pause.cancel()
            if lead.done():
                return

    async def _attempt(self) -> bool:
        """One try to take or renew the Lease; errors count as failure."""
        try:
            return await asyncio.wait_for(self._try_acquire_or_renew(), self.config.renew_deadline)
        except (KubeError, TimeoutError) as e:
            log.info("%s: lease %s/%s: %s", self.identity, self.config.namespace, self.config.name, e)
            return False

    async def _try_acquire_or_renew(self) -> bool:
        cfg = self.config
        now = _micro_time(datetime.now(UTC))
        try:
            lease = await self.client.get(LEASES, cfg.name, namespace=cfg.namespace)
        except NotFound:
            spec = self._spec(now, acquire_time=now, transitions=0)
            body = {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": cfg.name, "namespace": cfg.namespace},
                "spec": spec,
            }
            try:
                await self.client.create(LEASES, body)
            except AlreadyExists:
                return False
            self._observe(spec)
            return True
        spec = lease.get("spec") or {}
        if spec != self._observed:
            self._observe(spec)
        holder = str(spec.get("holderIdentity") or "")
        duration = float(spec.get("leaseDurationSeconds") or cfg.lease_duration)
        if holder and holder != self.identity and self._observed_at + duration > self._clock.now():
            return False
        if holder == self.identity:
            new_spec = {
                **spec,
                **self._spec(
                    now,
                    acquire_time=spec.get("acquireTime") or now,
                    transitions=int(spec.get("leaseTransitions") or 0),
                ),
            }
        else:
            new_spec = {
                **spec,
                **self._spec(now, acquire_time=now, transitions=int(spec.get("leaseTransitions") or 0) + 1),
            }
        try:
            await self.client.replace(LEASES, {**lease, "spec": new_spec})
        except Conflict:
            return False
        self._observe(new_spec)
        return True

    def _spec(self, now: str, *, acquire_time: str, transitions: int) -> dict[str, Any]:
        return {
            "holderIdentity": self.identity,
            "leaseDurationSeconds": max(1, round(self.config.lease_duration)),
            "acquireTime": acquire_time,
            "renewTime": now,
            "leaseTransitions": transitions,
        }

    def _observe(self, spec: Mapping[str, Any]) -> None:
        self._observed = dict(spec)
        self._observed_at = self._clock.now()
        holder = str(spec.get("holderIdentity") or "")
        if holder != self.leader:
            self.leader = holder
            if holder and self._on_new_leader is not None:
                self._on_new_leader(holder)

    async def _release(self) -> None:
        cfg = self.config
        try:
            lease = await self.client.get(LEASES, cfg.name, namespace=cfg.namespace)
            spec = lease.get("spec") or {}
            if spec.get("holderIdentity") != self.identity:
                return
            now = _micro_time(datetime.now(UTC))
            released = {
                **spec,
                "holderIdentity": "",
                "leaseDurationSeconds": 1,
                "renewTime": now,
                "acquireTime": now,
            }
            await self.client.replace(LEASES, {**lease, "spec": released})
            log.info("%s: released lease %s/%s", self.identity, cfg.namespace, cfg.name)
        except KubeError as e:
            log.warning("%s: could not release lease %s/%s: %s", self.identity, cfg.namespace, cfg.name, e)
