"""kube-apiserver's own validation of built-in kinds, beyond their OpenAPI schemas.

Built-in objects pass through typed Go validation in kube-apiserver (``pkg/apis/*/validation``), which
refuses things their OpenAPI schemas allow: a negative ``spec.replicas``, a selector that does not
select the pod template, a container without an image, a port outside 1-65535, a ConfigMap key with
a space, a name that is not a DNS label. Answering the same 422 here keeps code that works against
the local server from failing on a real cluster. Only the most common rules are covered; each one
reports the field path, reason and message text kube-apiserver uses.

The rules are data: which kinds carry a pod template (and where), which scale with ``spec.replicas``,
which must select their template, and which hold config keys.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, TypeGuard

from kro.devcluster.errors import Cause
from kro.devcluster.storage.errors import InvalidSelectorError
from kro.devcluster.storage.selectors import LabelSelector

Kind = tuple[str, str]  # (group, kind)

# Name formats: (regex, message, examples, max length), worded as k8s.io/apimachinery/pkg/util/validation.
_DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = _DNS1123_LABEL + r"(\." + _DNS1123_LABEL + ")*"
_DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?"
_CONFIG_KEY = "[-._a-zA-Z0-9]+"
_FORMATS: dict[str, tuple[str, str, tuple[str, ...], int]] = {
    "subdomain": (
        _DNS1123_SUBDOMAIN,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
        "and must start and end with an alphanumeric character",
        ("example.com",),
        253,
    ),
    "label": (
        _DNS1123_LABEL,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
        "and must start and end with an alphanumeric character",
        ("my-name", "123-abc"),
        63,
    ),
    "dns1035": (
        _DNS1035_LABEL,
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
        "start with an alphabetic character, and end with an alphanumeric character",
        ("my-name", "abc-123"),
        63,
    ),
    "configkey": (
        _CONFIG_KEY,
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        ("key.name", "KEY_NAME", "key-name"),
        253,
    ),
}
# Kinds whose metadata.name is not a DNS-1123 subdomain (every other kind, custom ones included):
# each kind's NameFn in kube-apiserver. RBAC kinds and PersistentVolumes only need a name that is a
# valid path segment (``kro:controller:demo`` is fine).
_NAME_FORMAT: dict[Kind, str] = {
    ("", "Namespace"): "label",
    ("", "Service"): "dns1035",
    ("", "PersistentVolume"): "pathsegment",
    ("rbac.authorization.k8s.io", "Role"): "pathsegment",
    ("rbac.authorization.k8s.io", "ClusterRole"): "pathsegment",
    ("rbac.authorization.k8s.io", "RoleBinding"): "pathsegment",
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): "pathsegment",
}
# Where each workload kind keeps its pod spec.
_POD_SPEC: dict[Kind, tuple[str, ...]] = {
    ("", "Pod"): ("spec",),
    ("apps", "Deployment"): ("spec", "template", "spec"),
    ("apps", "StatefulSet"): ("spec", "template", "spec"),
    ("apps", "DaemonSet"): ("spec", "template", "spec"),
    ("apps", "ReplicaSet"): ("spec", "template", "spec"),
    ("batch", "Job"): ("spec", "template", "spec"),
    ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template", "spec"),
}
_SCALED: frozenset[Kind] = frozenset({("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "ReplicaSet")})
# Kinds whose spec.selector must select the template; a Job's selector is generated unless manualSelector.
_SELECTING: frozenset[Kind] = frozenset(
    {("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "DaemonSet"), ("apps", "ReplicaSet")}
)
_CONFIG_DATA: dict[Kind, tuple[str, ...]] = {("", "ConfigMap"): ("data", "binaryData"), ("", "Secret"): ("data",)}

NEGATIVE = "must be greater than or equal to 0"
PORT_RANGE = "must be between 1 and 65535, inclusive"
SELECTOR_MISMATCH = "`selector` does not match template `labels`"


def go_value(value: Any) -> str:
    """A bad value the way kube-apiserver's ``field.Error`` prints it."""
    if isinstance(value, (dict, list)) or value is None:
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, str) else str(value)


def invalid(path: str, value: Any, detail: str) -> Cause:
    return Cause(path, "FieldValueInvalid", f"Invalid value: {go_value(value)}: {detail}")


def required(path: str) -> Cause:
    return Cause(path, "FieldValueRequired", "Required value")


def _path_segment_errors(value: str) -> list[str]:
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in value]


def format_errors(fmt: str, value: str) -> list[str]:
    """The messages kube-apiserver gives for ``value`` not being a ``fmt`` (empty when it is)."""
    if fmt == "pathsegment":
        return _path_segment_errors(value)
    pattern, message, examples, limit = _FORMATS[fmt]
    msgs: list[str] = []
    if len(value) > limit:
        msgs.append(f"must be no more than {limit} characters")
    if not re.fullmatch(pattern, value):
        # apimachinery's RegexError joins examples as "'a',  or 'b', " (sic: two spaces).
        shown = "".join((" or " if i else "") + f"'{e}', " for i, e in enumerate(examples))
        msgs.append(f"{message} (e.g. {shown}regex used for validation is '{pattern}')")
    if fmt == "configkey":
        if value in (".", ".."):
            msgs.append(f"must not be '{value}'")
        elif value.startswith(".."):
            msgs.append("must not start with '..'")
    return msgs


def name_causes(group: str, kind: str, name: str) -> list[Cause]:
    """``metadata.name`` errors for an object of ``kind`` (DNS-1123 subdomain unless listed)."""
    fmt = _NAME_FORMAT.get((group, kind), "subdomain")
    return [invalid("metadata.name", name, msg) for msg in format_errors(fmt, name)]


def builtin_causes(group: str, kind: str, obj: Mapping[str, Any]) -> list[Cause]:
    """Every rule below that applies to ``kind``, in kube-apiserver's order (spec, then data)."""
    key = (group, kind)
    spec = _mapping(obj.get("spec"))
    causes: list[Cause] = []
    if key in _SCALED:
        causes += _replicas(spec)
    if key in _SELECTING or (key == ("batch", "Job") and spec.get("manualSelector") is True):
        causes += _selector(spec)
    if key in _POD_SPEC:
        path = _POD_SPEC[key]
        causes += _containers(_dig(obj, path), ".".join(path))
    if key in _JOB_TEMPLATE:
        causes += _job_restart_policy(obj, _JOB_TEMPLATE[key])
    if key == ("", "Service"):
        causes += _service_ports(spec)
    for field in _CONFIG_DATA.get(key, ()):
        causes += _config_keys(obj.get(field), field)
    if key in _CONFIG_DATA:
        causes += _config_size(key, obj)
    return causes


# A Job's pods must not restart in place: restartPolicy OnFailure or Never (Always is the PodSpec default).
_JOB_TEMPLATE: dict[Kind, tuple[str, ...]] = {
    ("batch", "Job"): ("spec", "template", "spec"),
    ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template", "spec"),
}


def _job_restart_policy(obj: Mapping[str, Any], path: tuple[str, ...]) -> list[Cause]:
    policy = _dig(obj, path).get("restartPolicy")
    if policy in ("OnFailure", "Never", None):  # None: not defaulted yet (defaulting makes it Always)
        return []
    return [Cause(".".join((*path, "restartPolicy")), "FieldValueNotSupported",
                  f'Unsupported value: {go_value(policy)}: supported values: "OnFailure", "Never"')]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _dig(obj: Mapping[str, Any], path: tuple[str, ...]) -> Mapping[str, Any]:
    node: Mapping[str, Any] = obj
    for part in path:
        node = _mapping(node.get(part))
    return node


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _replicas(spec: Mapping[str, Any]) -> list[Cause]:
    replicas = spec.get("replicas")
    return [invalid("spec.replicas", replicas, NEGATIVE)] if _is_int(replicas) and replicas < 0 else []


def _selector(spec: Mapping[str, Any]) -> list[Cause]:
    raw = spec.get("selector")
    if not isinstance(raw, Mapping):
        return [required("spec.selector")]
    try:
        selector = LabelSelector.from_match(raw)
    except InvalidSelectorError:
        return [invalid("spec.selector", raw, "invalid label selector")]
    labels = _dig(spec, ("template", "metadata")).get("labels")
    if selector.empty or selector.matches(labels if isinstance(labels, Mapping) else {}):
        return []
    return [invalid("spec.template.metadata.labels", labels, SELECTOR_MISMATCH)]


def _containers(pod_spec: Mapping[str, Any], base: str) -> list[Cause]:
    containers = pod_spec.get("containers")
    if not isinstance(containers, list) or not containers:
        return [required(f"{base}.containers")]
    causes: list[Cause] = []
    seen: set[str] = set()
    for i, ctr in enumerate(containers):
        path = f"{base}.containers[{i}]"
        ctr = _mapping(ctr)
        name = ctr.get("name")
        if not name or not isinstance(name, str):
            causes.append(required(f"{path}.name"))
        elif msgs := format_errors("label", name):
            causes += [invalid(f"{path}.name", name, m) for m in msgs]
        elif name in seen:
            causes.append(Cause(f"{path}.name", "FieldValueDuplicate", f"Duplicate value: {go_value(name)}"))
        else:
            seen.add(name)
        if not ctr.get("image"):
            causes.append(required(f"{path}.image"))
        causes += _container_ports(ctr.get("ports"), f"{path}.ports")
    return causes


def _container_ports(ports: Any, base: str) -> Iterator[Cause]:
    for i, port in enumerate(ports if isinstance(ports, list) else []):
        number = _mapping(port).get("containerPort")
        if number == 0:
            yield required(f"{base}[{i}].containerPort")
        elif _is_int(number) and not 1 <= number <= 65535:
            yield invalid(f"{base}[{i}].containerPort", number, PORT_RANGE)


def _service_ports(spec: Mapping[str, Any]) -> Iterator[Cause]:
    ports = spec.get("ports")
    for i, port in enumerate(ports if isinstance(ports, list) else []):
        port = _mapping(port)
        number, target = port.get("port"), port.get("targetPort")
        if _is_int(number) and not 1 <= number <= 65535:
            yield invalid(f"spec.ports[{i}].port", number, PORT_RANGE)
        # A targetPort of 0 is defaulted to the port; a named targetPort is an IANA service name.
        if _is_int(target) and target != 0 and not 1 <= target <= 65535:
            yield invalid(f"spec.ports[{i}].targetPort", target, PORT_RANGE)


def _config_keys(data: Any, field: str) -> Iterator[Cause]:
    for key in data if isinstance(data, Mapping) else {}:
        for msg in format_errors("configkey", str(key)):
            yield invalid(f"{field}[{key}]", key, msg)


# ConfigMaps and Secrets hold at most 1 MiB of values (keys not counted; binary values decoded).
MAX_CONFIG_BYTES = 1024 * 1024
TOO_LONG = f"Too long: may not be more than {MAX_CONFIG_BYTES} bytes"
# Where kube-apiserver v1.32 reports it: a ConfigMap at the root path ("[]"), a Secret at ``data``.
_SIZE_FIELD: dict[Kind, str] = {("", "ConfigMap"): "[]", ("", "Secret"): "data"}


def _value_bytes(value: Any, *, encoded: bool) -> int:
    if not isinstance(value, str):
        return 0
    if not encoded:
        return len(value.encode())
    try:
        return len(base64.b64decode(value, validate=False))
    except (binascii.Error, ValueError):
        return len(value)


def _config_size(key: Kind, obj: Mapping[str, Any]) -> list[Cause]:
    total = 0
    for field in _CONFIG_DATA[key]:
        encoded = field == "binaryData" or key == ("", "Secret")
        total += sum(_value_bytes(v, encoded=encoded) for v in _mapping(obj.get(field)).values())
    return [Cause(_SIZE_FIELD[key], "FieldValueTooLong", TOO_LONG)] if total > MAX_CONFIG_BYTES else []
