"""Checks on the naming fields of an RGD's ``spec.schema`` (kind, apiVersion, group, scope, short
names, categories) and on the labels and annotations put on the generated CRD.

Each check returns located problems rather than raising, so that one pass reports every mistake.
Patterns are the ones the RGD CRD and the Kubernetes API server enforce.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from kro.api import Labels
from kro.schema.errors import SchemaPath, SchemaProblem, did_you_mean

KIND = re.compile(r"[A-Z][a-zA-Z0-9]{0,62}")
API_VERSION = re.compile(r"v[0-9]+(alpha[0-9]+|beta[0-9]+)?")
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
SCOPES = ("Namespaced", "Cluster")
MAX_NAMES = 32
KRO_LABELS = (Labels.OWNED, Labels.KRO_VERSION, Labels.RGD_ID, Labels.RGD_NAME)


def kind_problems(kind: Any) -> list[SchemaProblem]:
    if kind is None:
        return [SchemaProblem(("kind",), "kind is required, e.g. kind: WebApp")]
    if not isinstance(kind, str) or not KIND.fullmatch(kind):
        return [
            SchemaProblem(
                ("kind",),
                f"kind must start with an upper-case letter followed by at most 62 letters or digits "
                f"(pattern ^[A-Z][a-zA-Z0-9]{{0,62}}$), found {kind!r}",
            )
        ]
    return []


def api_version_problems(api_version: Any) -> list[SchemaProblem]:
    if api_version is None:
        return [SchemaProblem(("apiVersion",), "apiVersion is required, e.g. apiVersion: v1alpha1")]
    if not isinstance(api_version, str) or not API_VERSION.fullmatch(api_version):
        hint = ""
        if isinstance(api_version, str) and "/" in api_version:
            hint = (
                f"; give only the version, e.g. {api_version.rpartition('/')[2]!r}, and the group in 'group'"
            )
        return [
            SchemaProblem(
                ("apiVersion",),
                f"apiVersion must be a version such as v1, v1alpha1 or v2beta3, found {api_version!r}{hint}",
            )
        ]
    return []


def group_problems(group: Any) -> list[SchemaProblem]:
    if (
        not isinstance(group, str)
        or len(group) > 253
        or not DNS_SUBDOMAIN.fullmatch(group)
        or "." not in group
    ):
        return [
            SchemaProblem(
                ("group",),
                f"group must be a lower-case DNS domain with at least one dot, e.g. kro.run, found {group!r}",
            )
        ]
    return []


def scope_problems(scope: Any) -> list[SchemaProblem]:
    if scope not in SCOPES:
        hint = did_you_mean(scope, SCOPES) if isinstance(scope, str) else ""
        return [SchemaProblem(("scope",), f"scope must be Namespaced or Cluster, found {scope!r}{hint}")]
    return []


def name_list_problems(field: str, names: Any) -> list[SchemaProblem]:
    """``shortNames`` / ``categories``: at most 32 distinct DNS labels."""
    if not isinstance(names, Sequence) or isinstance(names, str):
        return [SchemaProblem((field,), f"{field} must be a list of names, found {names!r}")]
    problems = []
    if len(names) > MAX_NAMES:
        problems.append(
            SchemaProblem((field,), f"{field} has {len(names)} entries; at most {MAX_NAMES} are allowed")
        )
    seen: set[str] = set()
    for i, name in enumerate(names):
        if not isinstance(name, str) or len(name) > 63 or not DNS_LABEL.fullmatch(name):
            problems.append(
                SchemaProblem(
                    (field, i),
                    f"{name!r} is not a valid name: use lower-case letters, digits and '-', at most 63 characters",
                )
            )
        elif name in seen:
            problems.append(SchemaProblem((field, i), f"{name!r} is listed twice"))
        seen.add(str(name))
    return problems


def metadata_problems(labels: Any, annotations: Any) -> list[SchemaProblem]:
    """User labels and annotations for the CRD: valid keys and values, and none of kro's own keys."""
    problems: list[SchemaProblem] = []
    for field, entries in (("labels", labels), ("annotations", annotations)):
        if entries is None:
            continue
        path: SchemaPath = ("metadata", field)
        if not isinstance(entries, Mapping):
            problems.append(SchemaProblem(path, f"{field} must be a map of strings, found {entries!r}"))
            continue
        for key, value in entries.items():
            message = _entry_problem(field, key, value)
            if message:
                problems.append(SchemaProblem((*path, str(key)), message))
    return problems


def _entry_problem(field: str, key: Any, value: Any) -> str | None:
    if not isinstance(key, str) or not _qualified_key(key):
        return f"{key!r} is not a valid {field[:-1]} key (an optional DNS prefix and '/', then a name of at most 63 characters)"
    if key in KRO_LABELS:
        return f"{key!r} is set by kro on every generated CRD and cannot be given here"
    if not isinstance(value, str):
        return f"{field[:-1]} values must be strings, found {value!r}; quote it in YAML"
    if field == "labels" and (len(value) > 63 or (value and not _QUALIFIED_NAME.fullmatch(value))):
        return f"label value {value!r} is invalid: at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric"
    return None


def _qualified_key(key: str) -> bool:
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or len(prefix) > 253 or not DNS_SUBDOMAIN.fullmatch(prefix)):
        return False
    return len(name) <= 63 and bool(_QUALIFIED_NAME.fullmatch(name))
