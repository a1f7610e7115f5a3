"""The CPU cost of the local API server's managedFields bookkeeping, without the server around it.

``python benchmarks/bench_managedfields.py --instances 300 --rounds 5``

Replays, in the order the server makes them, the bookkeeping calls one Redis instance of
``examples/redis`` costs the local API server during the controller benchmark's rollout: the
controller's server-side applies of its StatefulSet and Service (created, then applied again
unchanged), the workload simulation's Pod create and the status updates of the StatefulSet and Pod,
each object with its own name and uid. Objects carry the managedFields the previous call stored, as
they would come out of storage (a JSON round trip). Prints the median CPU microseconds per call of
each kind over ``--rounds`` rounds, and the digest of every result (identical across two checkouts
means identical managedFields and objects).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import time
from collections.abc import Callable
from typing import Any

import orjson
from _common import median

from kro.api.refs import GVK
from kro.devcluster.defaulting.zero import ZERO_STRUCTS
from kro.devcluster.patch import ignored_fields, record_update, server_side_apply
from kro.openapi import builtin_schemas

MANAGER = "kro.run/applyset"
NOW = "2026-01-01T00:00:00Z"


def _zero(group: str, kind: str) -> list[tuple[str, ...]]:
    return [tuple(f"f:{p}" for p in path.split(".")) for path in ZERO_STRUCTS.get((group, kind), ())]


def _labels(name: str, node: str) -> dict[str, str]:
    return {"kro.run/instance-name": name, "kro.run/owned": "true", "app.kubernetes.io/managed-by": "kro",
            "kro.run/node-id": node, "kro.run/instance-kind": "Redis", "kro.run/instance-namespace": "default"}


def statefulset(name: str) -> dict[str, Any]:
    container = {"name": "redis", "image": "redis:7-alpine", "command": ["redis-server", "--maxmemory", "$(MAXMEMORY)"],
                 "ports": [{"containerPort": 6379}], "envFrom": [{"configMapRef": {"name": f"{name}-config"}}]}
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": name, "namespace": "default", "labels": _labels(name, "statefulset"),
                         "annotations": {"internal.kro.run/desired-hash": "b815fd9792da1f51"}},
            "spec": {"serviceName": f"{name}-headless", "replicas": 1, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [container]}}}}


def service(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": f"{name}-headless", "namespace": "default", "labels": _labels(name, "headless")},
            "spec": {"clusterIP": "None", "selector": {"app": name}, "ports": [{"port": 6379}]}}


def pod(name: str, uid: str) -> dict[str, Any]:
    container = {"name": "redis", "image": "redis:7-alpine", "command": ["redis-server"],
                 "ports": [{"containerPort": 6379, "protocol": "TCP"}], "imagePullPolicy": "IfNotPresent",
                 "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "resources": {}}
    tolerations = [{"key": f"node.kubernetes.io/{k}", "operator": "Exists", "effect": "NoExecute",
                    "tolerationSeconds": 300} for k in ("not-ready", "unreachable")]
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"{name}-0", "namespace": "default", "uid": f"{uid}-pod",
                         "labels": {"app": name, "controller-revision-hash": f"{name}-649fbc66bc",
                                    "statefulset.kubernetes.io/pod-name": f"{name}-0"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": name, "uid": uid,
                                              "controller": True, "blockOwnerDeletion": True}]},
            "spec": {"containers": [container], "dnsPolicy": "ClusterFirst", "restartPolicy": "Always",
                     "securityContext": {}, "terminationGracePeriodSeconds": 30, "schedulerName": "default-scheduler",
                     "nodeName": "kro-dev-node", "hostname": f"{name}-0", "subdomain": f"{name}-headless",
                     "enableServiceLinks": True, "serviceAccountName": "default", "tolerations": tolerations},
            "status": {"phase": "Pending", "qosClass": "BestEffort"}}


def _conditions(ready: bool) -> list[dict[str, Any]]:
    status = "True" if ready else "False"
    return [{"type": t, "status": status, "lastProbeTime": None, "lastTransitionTime": NOW}
            for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")]


class Replay:
    """The calls of one instance, in order, each timed and digested."""

    def __init__(self) -> None:
        schemas = builtin_schemas()
        self.schemas = {kind: schemas.schema_for(GVK(group, "v1", kind))
                        for group, kind in (("apps", "StatefulSet"), ("", "Pod"), ("", "Service"))}
        self.seconds: dict[str, list[float]] = {}
        self.digest = hashlib.sha256()

    def _timed(self, label: str, call: Callable[[], Any]) -> Any:
        start = time.process_time()
        result = call()
        self.seconds.setdefault(label, []).append(time.process_time() - start)
        body = result.object if hasattr(result, "object") else result
        self.digest.update(orjson.dumps(body))
        return orjson.loads(orjson.dumps(body))  # as storage hands it back

    def apply(self, label: str, live: dict[str, Any] | None, config: dict[str, Any], kind: str) -> dict[str, Any]:
        return self._timed(label, lambda: server_side_apply(
            live, config, schema=self.schemas[kind], manager=MANAGER, now=NOW, force=True,
            ignored=ignored_fields(subresource="", has_status=True)))

    def update(self, label: str, old: dict[str, Any] | None, new: dict[str, Any], kind: str, *, group: str = "",
               manager: str, subresource: str = "") -> dict[str, Any]:
        ignored = ignored_fields(subresource=subresource, has_status=True, objects=[new])
        return self._timed(label, lambda: record_update(
            old, new, schema=self.schemas[kind], manager=manager, now=NOW, ignored=ignored,
            subresource=subresource, zero_structs=_zero(group, kind)))

    def instance(self, index: int, prefix: str) -> None:
        name, uid = f"{prefix}-{index:04d}", f"uid-{prefix}-{index:08d}"
        sts = self.apply("apply StatefulSet (create)", None, statefulset(name), "StatefulSet")
        sts["metadata"]["uid"] = uid
        svc = self.apply("apply Service (create)", None, service(name), "Service")
        for step, status in enumerate(({"replicas": 1, "availableReplicas": 0, "currentRevision": f"{name}-1"},
                                       {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1,
                                        "currentReplicas": 1, "updatedReplicas": 1, "observedGeneration": 1})):
            new = copy.deepcopy(sts)
            new["status"] = {**sts.get("status", {}), **status}
            sts = self.update(f"StatefulSet /status #{step + 1}", sts, new, "StatefulSet", group="apps",
                              manager="kube-controller-manager", subresource="status")
        p = self.update("Pod create", None, pod(name, uid), "Pod", manager="kube-controller-manager")
        for step, ready in enumerate((False, True)):
            new = copy.deepcopy(p)
            new["status"] = {**p["status"], "phase": "Running" if ready else "Pending", "conditions": _conditions(ready),
                             "podIP": f"10.0.{index // 250}.{index % 250}"}
            p = self.update(f"Pod /status #{step + 1}", p, new, "Pod", manager="kubelet", subresource="status")
        self.apply("apply StatefulSet (unchanged)", sts, statefulset(name), "StatefulSet")
        self.apply("apply Service (unchanged)", svc, service(name), "Service")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    per_round: dict[str, list[float]] = {}
    totals: list[float] = []
    digest = ""
    for round_ in range(args.rounds):
        replay = Replay()
        replay.instance(-1, "warm-up")  # first-use costs (schemas) out of the figures
        replay.seconds.clear()
        for index in range(args.instances):
            replay.instance(index, f"r{round_}")  # new objects each round, as in a rollout
        for label, seconds in replay.seconds.items():
            per_round.setdefault(label, []).append(sum(seconds) / len(seconds))
        totals.append(sum(sum(s) for s in replay.seconds.values()) / args.instances)
        digest += replay.digest.hexdigest()[:6]
    for label, values in per_round.items():
        print(f"{label:32s} {median(values) * 1e6:8.0f} µs/call")
    print(f"{'per instance (all calls)':32s} {median(totals) * 1e6:8.0f} µs")
    print(f"digest {digest}")


if __name__ == "__main__":
    main()
