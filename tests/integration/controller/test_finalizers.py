"""Removing kro's finalizer with a guarded JSON patch: from a stale copy, without a 409."""

from __future__ import annotations

from kro.api.refs import GVR
from kro.controller.finalizers import removal_patch, remove_finalizer
from kro.controller.kubeports import KubeWriter
from kro.kube import KubeClient

from ..conftest import ApiClient
from .helpers import core, create, get

CONFIGMAPS = GVR("", "v1", "configmaps")


def test_the_patch_pins_the_element_it_removes() -> None:
    obj = {"metadata": {"finalizers": ["other", "kro.run/finalizer"]}}
    assert removal_patch(obj) == [
        {"op": "test", "path": "/metadata/finalizers/1", "value": "kro.run/finalizer"},
        {"op": "remove", "path": "/metadata/finalizers/1"},
    ]
    assert removal_patch({"metadata": {"finalizers": ["other"]}}) == []


async def test_a_stale_copy_still_removes_only_krofinalizer(kapi: ApiClient, kube: KubeClient) -> None:
    body = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "held", "finalizers": ["a.example/f", "kro.run/finalizer"]},
    }
    stale = await create(kapi, core("configmaps"), body)
    # someone changes the object twice (the list and the data) after kro's copy was taken
    code, _ = await kapi.patch(core("configmaps", "held"), {"data": {"x": "1"}})
    assert code == 200
    code, _ = await kapi.patch(
        core("configmaps", "held"),
        [{"op": "add", "path": "/metadata/finalizers/0", "value": "b.example/f"}],
        content_type="application/json-patch+json",
    )
    assert code == 200

    assert await remove_finalizer(KubeWriter(kube), CONFIGMAPS, stale)
    now = await get(kapi, core("configmaps", "held"))
    assert now is not None
    assert now["metadata"]["finalizers"] == ["b.example/f", "a.example/f"]
    assert now["data"] == {"x": "1"}
    assert not await remove_finalizer(KubeWriter(kube), CONFIGMAPS, now)


async def test_removing_the_last_finalizer_removes_the_field(kapi: ApiClient, kube: KubeClient) -> None:
    body = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "last", "finalizers": ["kro.run/finalizer"]},
    }
    stale = await create(kapi, core("configmaps"), body)
    assert await remove_finalizer(KubeWriter(kube), CONFIGMAPS, stale)
    now = await get(kapi, core("configmaps", "last"))
    assert now is not None and "finalizers" not in now["metadata"]


async def test_the_last_finalizer_is_not_taken_with_one_added_meanwhile(
    kapi: ApiClient, kube: KubeClient
) -> None:
    body = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "joined", "finalizers": ["kro.run/finalizer"]},
    }
    stale = await create(kapi, core("configmaps"), body)
    code, _ = await kapi.patch(
        core("configmaps", "joined"),
        [{"op": "add", "path": "/metadata/finalizers/-", "value": "b.example/f"}],
        content_type="application/json-patch+json",
    )
    assert code == 200
    assert await remove_finalizer(KubeWriter(kube), CONFIGMAPS, stale)
    now = await get(kapi, core("configmaps", "joined"))
    assert now is not None and now["metadata"]["finalizers"] == ["b.example/f"]
