"""The admission plugins kube-apiserver runs on a Pod, in its order, after the request's managedFields
entry is computed (so what they set belongs to no field manager):

- **ServiceAccount** (CREATE): ``spec.serviceAccountName`` defaults to ``default``; the account must
  exist, else 403 (the ``default`` account is looked up again for up to about two seconds, as
  kube-apiserver does, since a controller creates it just after its namespace); the account's API
  token is mounted into every container (a projected ``kube-api-access-xxxxx`` volume) unless the
  pod or the account sets ``automountServiceAccountToken: false``; a pod without
  ``imagePullSecrets`` gets the account's.
- **Priority** (CREATE): ``spec.priority`` and ``spec.preemptionPolicy`` come from the pod's
  PriorityClass (403 when there is none of that name), else from the class marked
  ``globalDefault``, else 0 and ``PreemptLowerPriority``; a pod may not state other values. An
  UPDATE keeps what the create set.
- **DefaultTolerationSeconds** (CREATE and UPDATE): a pod that does not tolerate the
  ``node.kubernetes.io/not-ready`` or ``unreachable`` NoExecute taint tolerates it for 300 s.

Also the system PriorityClasses kube-apiserver creates at start.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from typing import Any

from kro.devcluster import errors
from kro.devcluster.metadata import generated_name
from kro.devcluster.objects import ObjectService, Operation, WriteOptions
from kro.devcluster.pods import is_pod
from kro.devcluster.registry import Registry, ResourceType
from kro.devcluster.storage import Store

DEFAULT_ACCOUNT = "default"
TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
TOKEN_VOLUME_PREFIX = "kube-api-access-"
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
_ACCOUNTS = "serviceaccounts"
_CLASSES = "priorityclasses.scheduling.k8s.io"
_DEFAULT_ACCOUNT_ATTEMPTS = 10  # kube-apiserver looks the default account up this often
_TOLERATED_TAINTS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")
SYSTEM_PRIORITY_CLASSES = (
    ("system-node-critical", 2000001000, "Used for system critical pods that must not be moved from their current node."),
    ("system-cluster-critical", 2000000000,
     "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
)  # fmt: skip


def token_volume(name: str) -> dict[str, Any]:
    """The projected volume with the service account's token, the cluster's CA and the namespace."""
    return {
        "name": name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [
                    {"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}},
                ]}},
            ],
        },
    }  # fmt: skip


def mount_token(spec: dict[str, Any]) -> None:
    """Mount the API token volume into every container that has nothing at its path (and add the
    volume when one does; a volume named ``kube-api-access-*`` already there is reused)."""
    volumes = [v for v in spec.get("volumes") or [] if isinstance(v, dict)]
    existing = next((str(v.get("name")) for v in volumes if str(v.get("name") or "").startswith(TOKEN_VOLUME_PREFIX)), None)
    name = existing or generated_name(TOKEN_VOLUME_PREFIX)
    needed = False
    for key in ("initContainers", "containers"):
        for container in spec.get(key) or []:
            if not isinstance(container, dict):
                continue
            given = container.get("volumeMounts")
            mounts: list[Any] = given if isinstance(given, list) else []
            if any(isinstance(m, dict) and m.get("mountPath") == TOKEN_MOUNT_PATH for m in mounts):
                continue
            container["volumeMounts"] = [*mounts, {"name": name, "readOnly": True, "mountPath": TOKEN_MOUNT_PATH}]
            needed = True
    if needed and existing is None:
        spec["volumes"] = [*(spec.get("volumes") or []), token_volume(name)]


def tolerate_unready_nodes(spec: dict[str, Any]) -> None:
    given = spec.get("tolerations")
    tolerations: list[Any] = given if isinstance(given, list) else []
    for taint in _TOLERATED_TAINTS:
        if not any(isinstance(t, dict) and t.get("key") in (taint, None, "") and t.get("effect") in ("NoExecute", None, "")
                   for t in tolerations):  # fmt: skip
            tolerations.append({"key": taint, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300})
    spec["tolerations"] = tolerations


def _forbidden(name: str, message: str) -> errors.Forbidden:
    return errors.Forbidden(f'pods "{name}" is forbidden: {message}', details={"name": name, "kind": "pods"})


class PodAdmission:
    """The ServiceAccount, Priority and DefaultTolerationSeconds admission plugins, for Pods."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def __call__(
        self, op: Operation, rt: ResourceType, obj: dict[str, Any], old: Mapping[str, Any] | None, /, *, name: str
    ) -> None:
        spec = obj.get("spec")
        if not is_pod(rt.group, rt.kind) or op == "DELETE" or not isinstance(spec, dict):
            return
        if op == "UPDATE":
            old_spec = (old or {}).get("spec") or {}
            for key in ("priority", "preemptionPolicy"):
                if spec.get(key) is None and old_spec.get(key) is not None:
                    spec[key] = old_spec[key]
        else:
            namespace = str((obj.get("metadata") or {}).get("namespace") or "")
            annotations = (obj.get("metadata") or {}).get("annotations") or {}
            if MIRROR_ANNOTATION in annotations:
                if spec.get("serviceAccountName"):
                    raise _forbidden(name, "a mirror pod may not reference service accounts")
            else:
                await self._service_account(namespace, name, spec)
            await self._priority(name, spec)
        tolerate_unready_nodes(spec)

    async def _service_account(self, namespace: str, name: str, spec: dict[str, Any]) -> None:
        account_name = str(spec.get("serviceAccountName") or DEFAULT_ACCOUNT)
        spec["serviceAccountName"] = spec["serviceAccount"] = account_name
        account = await self._account(namespace, account_name)
        if account is None:
            raise _forbidden(
                name, f'error looking up service account {namespace}/{account_name}: serviceaccount "{account_name}" not found'
            )
        automount = spec.get("automountServiceAccountToken")
        if automount is None:
            automount = account.get("automountServiceAccountToken")
        if automount is not False:
            mount_token(spec)
        if not spec.get("imagePullSecrets"):
            secrets = [{"name": s.get("name", "")} for s in account.get("imagePullSecrets") or [] if isinstance(s, Mapping)]
            spec.pop("imagePullSecrets", None)
            if secrets:
                spec["imagePullSecrets"] = secrets

    async def _account(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        attempts = _DEFAULT_ACCOUNT_ATTEMPTS if name == DEFAULT_ACCOUNT else 1
        interval = random.uniform(0.1, 0.2)  # as kube-apiserver waits between looks
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(interval)
            account = await self._store.get_shared(_ACCOUNTS, namespace, name)
            if account is not None:
                return account
        return None

    async def _priority(self, name: str, spec: dict[str, Any]) -> None:
        class_name = spec.get("priorityClassName")
        if class_name:
            found = await self._store.get_shared(_CLASSES, "", str(class_name))
            if found is None:
                raise _forbidden(name, f"no PriorityClass with name {class_name} was found")
            priority, policy = int(found.get("value") or 0), str(found.get("preemptionPolicy") or "PreemptLowerPriority")
        else:
            default = await self._global_default()
            if default is not None:
                spec["priorityClassName"] = default["metadata"]["name"]
            priority = int(default.get("value") or 0) if default is not None else 0
            policy = str((default or {}).get("preemptionPolicy") or "PreemptLowerPriority")
        if spec.get("priority") is not None and spec["priority"] != priority:
            raise _forbidden(name, f"the integer value of priority ({spec['priority']}) must not be provided in pod spec; "
                                   f"priority admission controller computed {priority} from the given PriorityClass name")
        if spec.get("preemptionPolicy") is not None and spec["preemptionPolicy"] != policy:
            raise _forbidden(name, f"the string value of PreemptionPolicy ({spec['preemptionPolicy']}) must not be provided "
                                   f"in pod spec; priority admission controller computed {policy} from the given "
                                   "PriorityClass name")
        spec["priority"], spec["preemptionPolicy"] = priority, policy

    async def _global_default(self) -> Mapping[str, Any] | None:
        """The class marked ``globalDefault`` (the lowest value if a race made several)."""
        listed = await self._store.list_shared(_CLASSES, None)  # read here, before any other await
        defaults = [pc for pc in listed.items if pc.get("globalDefault") is True]
        return min(defaults, key=lambda pc: int(pc.get("value") or 0), default=None)


async def ensure_system_priority_classes(objects: ObjectService, registry: Registry) -> None:
    rt = registry.get("scheduling.k8s.io", "v1", "priorityclasses")
    if rt is None:
        return
    for name, value, description in SYSTEM_PRIORITY_CLASSES:
        if await objects.store.get(rt.storage_key, "", name) is None:
            body = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name},
                    "value": value, "description": description}  # fmt: skip
            await objects.create(rt, "", body, WriteOptions(manager="kube-apiserver"))
