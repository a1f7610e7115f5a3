"""The durable record of an RGD's last accepted spec, kept on the CRD the RGD generates.

The RGD controller keeps instances on the last graph that compiled when an update does not. That
graph lives in memory; to survive a restart, the spec it was compiled from is stored as annotations
on the generated CRD (kro owns it and already writes it, so no extra permission is needed): the
compact JSON of the RGD ``spec`` and its generation. A spec too large for the annotation budget is
not recorded (and any older record is dropped, so a record never describes a stale CRD)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kro.api.keys import Annotations, Labels

ANNOTATIONS_LIMIT = 256 * 1024
"""The API server's cap on the total size of an object's annotations (keys plus values)."""
KEYS = (Annotations.ACCEPTED_SPEC, Annotations.ACCEPTED_GENERATION)


@dataclass(frozen=True)
class Recorded:
    """A spec recorded on a CRD, and the RGD generation it was accepted at."""

    generation: int
    spec: Mapping[str, Any]


def record(rgd: Mapping[str, Any], crd: Mapping[str, Any]) -> dict[str, str] | None:
    """The annotations recording ``rgd``'s spec on ``crd`` (the desired CRD, whose own annotations
    count against the limit), or ``None`` when the spec does not fit."""
    spec = json.dumps(rgd.get("spec") or {}, separators=(",", ":"), sort_keys=True)
    generation = str(int((rgd.get("metadata") or {}).get("generation") or 0))
    own = (crd.get("metadata") or {}).get("annotations") or {}
    used = sum(len(k) + len(v) for k, v in own.items() if k not in KEYS)
    budget = ANNOTATIONS_LIMIT - used - sum(len(k) for k in KEYS) - len(generation)
    if len(spec.encode()) > budget:
        return None
    return {Annotations.ACCEPTED_SPEC: spec, Annotations.ACCEPTED_GENERATION: generation}


def recorded_annotations(crd: Mapping[str, Any]) -> dict[str, str]:
    """The record annotations present on ``crd`` (empty when none)."""
    own = (crd.get("metadata") or {}).get("annotations") or {}
    return {k: str(own[k]) for k in KEYS if k in own}


def find(crds: Iterable[Mapping[str, Any]], *, rgd_name: str, rgd_uid: str) -> Recorded | None:
    """The spec recorded on the CRD this RGD (this very object: same UID) owns, if any. A record
    that cannot be read is ignored: it only ever serves as a fallback."""
    for crd in crds:
        labels = (crd.get("metadata") or {}).get("labels") or {}
        if (
            labels.get(Labels.OWNED) != "true"
            or labels.get(Labels.RGD_NAME) != rgd_name
            or labels.get(Labels.RGD_ID) != rgd_uid
        ):
            continue
        found = recorded_annotations(crd)
        try:
            spec = json.loads(found[Annotations.ACCEPTED_SPEC])
            generation = int(found[Annotations.ACCEPTED_GENERATION])
        except (KeyError, ValueError):
            continue
        if isinstance(spec, dict):
            return Recorded(generation, spec)
    return None
