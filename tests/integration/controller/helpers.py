"""Paths, builders and polling helpers shared by the controller scenarios."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from ..conftest import ApiClient

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
RGDS = "/apis/kro.run/v1alpha1/resourcegraphdefinitions"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def example(name: str, file: str = "rgd.yaml") -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((EXAMPLES / name / file).read_text())
    return doc


def core(resource: str, name: str = "", namespace: str = "default") -> str:
    return f"/api/v1/namespaces/{namespace}/{resource}" + (f"/{name}" if name else "")


def apps(resource: str, name: str = "", namespace: str = "default") -> str:
    return f"/apis/apps/v1/namespaces/{namespace}/{resource}" + (f"/{name}" if name else "")


def instances(plural: str, name: str = "", namespace: str = "default") -> str:
    return f"/apis/kro.run/v1alpha1/namespaces/{namespace}/{plural}" + (f"/{name}" if name else "")


async def get(api: ApiClient, path: str) -> dict[str, Any] | None:
    code, body = await api.get(path)
    if code == 404:
        return None
    assert code == 200, (path, code, body)
    result: dict[str, Any] = body
    return result


async def create(api: ApiClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    code, out = await api.post(path, copy.deepcopy(body))
    assert code == 201, (path, code, out)
    result: dict[str, Any] = out
    return result


async def replace_spec(api: ApiClient, path: str, spec: dict[str, Any]) -> None:
    """Read, change the spec, write back; read again when the controller wrote in between (409),
    as a client doing read-modify-write must."""
    for _ in range(20):
        current = await get(api, path)
        assert current is not None
        current["spec"] = copy.deepcopy(spec)
        code, out = await api.put(path, current)
        if code != 409:
            break
    assert code == 200, (path, code, out)


def condition(obj: dict[str, Any] | None, ctype: str) -> dict[str, Any]:
    for c in ((obj or {}).get("status") or {}).get("conditions") or []:
        if c.get("type") == ctype:
            result: dict[str, Any] = c
            return result
    return {}


async def rgd_active(api: ApiClient, name: str) -> dict[str, Any] | None:
    rgd = await get(api, f"{RGDS}/{name}")
    return rgd if rgd and (rgd.get("status") or {}).get("state") == "Active" else None


def reconciles(ctrl: Any, /, **labels: str) -> float:
    """``kro_reconcile_total`` of ``ctrl`` (a :class:`kro.controller.app.Controller`), summed over
    the samples whose labels include ``labels`` (``controller="instance"``, ``resource="redis"``)."""
    return sum(
        sample.value
        for metric in ctrl.metrics.reconciles.collect()
        for sample in metric.samples
        if sample.name == "kro_reconcile_total" and all(sample.labels.get(k) == v for k, v in labels.items())
    )
