"""Service cluster IP allocation, checked over many generated create/update/delete sequences against
the plain rule: a Service without a requested address gets the lowest host address of the range
that no other Service holds (the first one being the ``kubernetes`` Service's)."""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kro.devcluster.errors import Invalid
from kro.devcluster.registry import Registry
from kro.devcluster.services import ServiceAllocation
from kro.devcluster.storage import MemoryStore

CIDR = ipaddress.IPv4Network("10.0.0.0/28")
HOSTS = [str(h) for h in CIDR.hosts()][1:]  # without the first (reserved) one
SERVICES = Registry().get("", "v1", "services")
NAMES = [f"s{i}" for i in range(16)]

# (verb, which Service, a requested host address or None; "none": headless, "ext": ExternalName)
Step = tuple[str, int, Any]
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["create", "create", "create", "delete", "update"]),
        st.integers(0, len(NAMES) - 1),
        st.one_of(st.none(), st.none(), st.integers(0, len(HOSTS) - 1), st.sampled_from(["none", "ext"])),
    ),
    max_size=60,
)


def _service(name: str, requested: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"ports": [{"port": 80}]}
    if requested == "ext":
        spec = {"type": "ExternalName", "externalName": "example.com"}
    elif requested == "none":
        spec["clusterIP"] = "None"
    elif requested is not None:
        spec["clusterIP"] = HOSTS[requested]
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "d"}, "spec": spec}


def _expected_free(held: dict[str, str], me: str) -> str | None:
    others = {ip for who, ip in held.items() if who != me}
    return next((ip for ip in HOSTS if ip not in others), None)


async def _run(steps: list[Step]) -> None:
    assert SERVICES is not None
    store = MemoryStore()
    allocate = ServiceAllocation(store, cidr=CIDR)
    held: dict[str, str] = {}  # the model: Service name -> its cluster IP
    for verb, index, requested in steps:
        name = NAMES[index]
        current = await store.get("services", "d", name)
        if verb == "delete" or (verb == "create" and current is not None):
            if current is not None:
                await store.delete("services", "d", name)
                held.pop(name, None)
            continue
        if verb == "update" and current is None:
            continue
        body = _service(name, None if verb == "update" else requested)
        if verb == "update":
            assert current is not None
            body["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
        expected = _expected_free(held, name) if verb == "create" and requested is None else None
        if verb == "update" and name not in held and current is not None and "clusterIP" not in current["spec"]:
            expected = _expected_free(held, name)  # an ExternalName Service becomes a ClusterIP one
        try:
            await allocate("UPDATE" if verb == "update" else "CREATE", SERVICES, body, current, name=name)
        except Invalid:
            assert expected is None or requested is not None, (verb, name, requested, held)
            continue
        ip = body["spec"].get("clusterIP")
        if expected is not None:
            assert ip == expected, (verb, name, held)
        if verb == "update":
            await store.update("services", body, expected_rv=int(current["metadata"]["resourceVersion"]))
        else:
            await store.create("services", body)
        if ip and ip != "None":
            held[name] = ip
        assert ip is None or ip == "None" or list(held.values()).count(ip) == 1


@settings(max_examples=150, deadline=None)
@given(STEPS)
def test_free_address_is_the_lowest_no_other_service_holds(steps: list[Step]) -> None:
    asyncio.run(_run(steps))


def test_a_full_range_is_refused_and_a_delete_frees_its_address() -> None:
    async def scenario() -> None:
        assert SERVICES is not None
        store = MemoryStore()
        allocate = ServiceAllocation(store, cidr=CIDR)
        for name in NAMES[: len(HOSTS)]:
            body = _service(name, None)
            await allocate("CREATE", SERVICES, body, None, name="")
            await store.create("services", body)
        try:
            await allocate("CREATE", SERVICES, _service("late", None), None, name="late")
        except Invalid as e:
            assert "the service range 10.0.0.0/28 is full" in str(e.status())
        else:
            raise AssertionError("a full range must refuse the create")
        await store.delete("services", "d", NAMES[4])
        body = _service("late", None)
        await allocate("CREATE", SERVICES, body, None, name="")
        assert body["spec"]["clusterIP"] == HOSTS[4]

    asyncio.run(scenario())
