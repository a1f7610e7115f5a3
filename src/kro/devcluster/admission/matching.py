"""Which requests a policy's ``matchConstraints`` (or a binding's ``matchResources``) select, by
kube-apiserver's rules:

- ``resourceRules`` by API group, version, resource (``*`` is every resource but no subresource,
  ``*/*`` everything, ``pods/*`` every subresource of pods, ``*/status`` every status), operation,
  scope and ``resourceNames``; an empty list matches every resource (for a binding);
- ``excludeResourceRules`` the same, removing what they match;
- ``namespaceSelector`` on the labels of the request's namespace (a cluster-scoped object other than
  a Namespace always passes; a Namespace is judged by its own labels);
- ``objectSelector`` on the labels of the object or of the old object.

Only exact matching is done (``matchPolicy: Equivalent`` finds no other version: every kind the local
server serves has one version per group).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kro.devcluster.admission.attributes import Attributes
from kro.devcluster.storage import InvalidSelectorError, LabelSelector


class MatchError(Exception):
    """A selector in a policy or binding that cannot be used."""


def _listed(values: Any, value: str) -> bool:
    items = values if isinstance(values, list) else []
    return "*" in items or value in items


def _resource_matches(resources: Any, resource: str, subresource: str) -> bool:
    for entry in resources if isinstance(resources, list) else []:
        res, _, sub = str(entry).partition("/")
        if (res in ("*", resource)) and (sub in ("*", subresource)):
            return True
    return False


def _scope_matches(scope: Any, attrs: Attributes) -> bool:
    if scope in (None, "*"):
        return True
    namespaced = attrs.rt.namespaced
    return namespaced if scope == "Namespaced" else not namespaced


def rule_matches(rule: Mapping[str, Any], attrs: Attributes) -> bool:
    rt = attrs.rt
    if not (
        _scope_matches(rule.get("scope"), attrs)
        and _listed(rule.get("operations"), attrs.operation)
        and _listed(rule.get("apiGroups"), rt.group)
        and _listed(rule.get("apiVersions"), rt.version)
        and _resource_matches(rule.get("resources"), rt.plural, attrs.subresource)
    ):
        return False
    names = rule.get("resourceNames")
    return not names or attrs.name in names


def _any_rule(rules: Sequence[Any], attrs: Attributes) -> bool:
    return any(isinstance(r, Mapping) and rule_matches(r, attrs) for r in rules)


def _selector(spec: Any) -> LabelSelector:
    if not isinstance(spec, Mapping):
        return LabelSelector(())
    try:
        return LabelSelector.from_match(spec)
    except InvalidSelectorError as e:
        raise MatchError(str(e)) from e


def matches(
    criteria: Mapping[str, Any] | None, attrs: Attributes, namespace_labels: Mapping[str, Any] | None
) -> bool:
    """Whether ``criteria`` (a MatchResources) selects the request; ``None`` selects everything.

    ``namespace_labels``: the labels of the request's namespace (None when there is none)."""
    if criteria is None:
        return True
    ns_selector = _selector(criteria.get("namespaceSelector"))
    if not ns_selector.empty:
        if attrs.is_namespace:
            own = attrs.labels
            if not any(ns_selector.matches(_str_map(labels)) for labels in own):
                return False
        elif attrs.rt.namespaced and not ns_selector.matches(_str_map(namespace_labels or {})):
            return False
    obj_selector = _selector(criteria.get("objectSelector"))
    if not obj_selector.empty and not any(obj_selector.matches(_str_map(labels)) for labels in attrs.labels):
        return False
    if _any_rule(criteria.get("excludeResourceRules") or [], attrs):
        return False
    rules = criteria.get("resourceRules") or []
    return not rules or _any_rule(rules, attrs)


def _str_map(labels: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in labels.items()}
