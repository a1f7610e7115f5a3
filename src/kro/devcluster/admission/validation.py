"""The checks kube-apiserver makes on the policy objects themselves (an admission plugin of the
local server): a policy's CEL expressions must compile, a binding must name a policy and carry
validation actions, never both ``Deny`` and ``Warn``, and a ``paramRef`` names its params by name or
selector with a ``parameterNotFoundAction``. Refusals are 422 with field causes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kro.devcluster import celrules, errors
from kro.devcluster.builtin_validation import format_errors, invalid
from kro.devcluster.errors import Cause
from kro.devcluster.registry import ResourceType

_GROUP = "admissionregistration.k8s.io"
_VARIABLES = ("object", "oldObject", "request", "params", "namespaceObject", "variables", "authorizer")
_EXPRESSIONS = (("validations", "expression"), ("validations", "messageExpression"),
                ("matchConditions", "expression"), ("variables", "expression"),
                ("auditAnnotations", "valueExpression"))  # fmt: skip


async def policy_object_admission(
    op: str, rt: ResourceType, obj: dict[str, Any], old: Mapping[str, Any] | None, /, *, name: str
) -> None:
    if op == "DELETE" or rt.group != _GROUP:
        return
    spec = obj.get("spec") if isinstance(obj.get("spec"), Mapping) else {}
    assert isinstance(spec, Mapping)
    if rt.kind == "ValidatingAdmissionPolicy":
        causes = _expression_causes(spec)
    elif rt.kind == "ValidatingAdmissionPolicyBinding":
        causes = _binding_causes(spec)
    else:
        return
    if causes:
        name = str((obj.get("metadata") or {}).get("name") or "")
        raise errors.Invalid(rt.kind, rt.group, name, causes)


def _expression_causes(spec: Mapping[str, Any]) -> list[Cause]:
    causes = []
    for section, key in _EXPRESSIONS:
        for i, entry in enumerate(spec.get(section) or []):
            text = entry.get(key) if isinstance(entry, Mapping) else None
            if not isinstance(text, str) or not text:
                continue
            problem = celrules.compile_check(text, _VARIABLES)
            if problem is not None:
                problem = problem.replace("INVALID_ARGUMENT: ", "")
                causes.append(Cause(f"spec.{section}[{i}].{key}", "FieldValueInvalid", f"Invalid value: {json.dumps(text)}: {problem}"))
    return causes


def _binding_causes(spec: Mapping[str, Any]) -> list[Cause]:
    causes = []
    if not spec.get("policyName"):
        causes.append(Cause("spec.policyName", "FieldValueRequired", "Required value"))
    actions = spec.get("validationActions") or []
    if not actions:
        causes.append(Cause("spec.validationActions", "FieldValueRequired", "Required value: at least one validation action is required"))
    for i, action in enumerate(actions):
        if action not in ("Deny", "Warn", "Audit"):
            causes.append(Cause(f"spec.validationActions[{i}]", "FieldValueNotSupported",
                                f'Unsupported value: {json.dumps(action)}: supported values: "Audit", "Deny", "Warn"'))  # fmt: skip
    if "Deny" in actions and "Warn" in actions:
        causes.append(Cause(
            "spec.validationActions", "FieldValueInvalid",
            f"Invalid value: {json.dumps(actions, separators=(',', ':'))}: must not contain both Deny and Warn "
            "(repeating the same validation failure information in the API response and headers serves no purpose)",
        ))  # fmt: skip
    ref = spec.get("paramRef")
    if isinstance(ref, Mapping):
        causes += _param_ref_causes(ref)
    return causes


def _param_ref_causes(ref: Mapping[str, Any]) -> list[Cause]:
    """kube-apiserver's ``validateParamRef`` (the selector's own syntax is left to the schema)."""
    causes: list[Cause] = []
    name, selector = ref.get("name") or "", ref.get("selector")
    exclusive = "Forbidden: name and selector are mutually exclusive"
    if name:
        causes += [invalid("spec.paramRef.name", name, msg) for msg in format_errors("pathsegment", str(name))]
        if selector is not None:
            causes.append(Cause("spec.paramRef.name", "FieldValueForbidden", exclusive))
    if selector is not None and name:
        causes.append(Cause("spec.paramRef.selector", "FieldValueForbidden", exclusive))
    if not name and selector is None:
        causes.append(Cause("spec.paramRef", "FieldValueRequired", "Required value: one of name or selector must be specified"))
    namespace = ref.get("namespace") or ""
    if namespace:
        causes += [invalid("spec.paramRef.namespace", namespace, msg) for msg in format_errors("label", str(namespace))]
    action = ref.get("parameterNotFoundAction") or ""
    if not action:
        causes.append(Cause("spec.paramRef.parameterNotFoundAction", "FieldValueRequired", "Required value"))
    elif action not in ("Deny", "Allow"):
        causes.append(Cause("spec.paramRef.parameterNotFoundAction", "FieldValueNotSupported",
                            f'Unsupported value: {json.dumps(action)}: supported values: "Deny", "Allow"'))
    return causes
