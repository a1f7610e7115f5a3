"""``ValidatingAdmissionPolicy`` enforcement: every write is checked against the policies that match
it, through each of their bindings, as kube-apiserver's ValidatingAdmissionPolicy plugin does.

For each policy whose ``matchConstraints`` select the request, and each binding naming it whose
``matchResources`` (if any) also do, the policy's ``matchConditions`` decide whether it applies, its
``variables`` are computed, then each validation's ``expression`` runs with ``object``, ``oldObject``,
``request``, ``namespaceObject``, ``variables`` and ``params``: for a policy with a ``paramKind``,
once for each object the binding's ``paramRef`` selects (by ``name``, or by ``selector``; in
``paramRef.namespace``, or the request's namespace for a namespaced kind), as kube-apiserver's
``CollectParams`` finds them, with its configuration errors; none found is a refusal under
``parameterNotFoundAction: Deny`` and no evaluation under ``Allow``; a binding without a
``paramRef`` evaluates once with ``params`` null. A failed validation is acted on by the binding's
``validationActions``: ``Deny`` refuses the request, ``Warn`` adds a ``Warning`` header, ``Audit`` only
records (the local server keeps no audit log). Errors (compile or run time) follow the policy's
``failurePolicy`` (``Fail`` by default: the request is refused with the error as the message).

A refusal is kube-apiserver's: ``<resource>[.<group>] "<name>" is forbidden: ValidatingAdmissionPolicy
'<policy>' with binding '<binding>' denied request: <message>``, with the validation's ``reason``
(``Invalid``, 422, when none is given; ``Forbidden`` 403, ``Unauthorized`` 401,
``RequestEntityTooLarge`` 413) and the message again as the only cause.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kro.devcluster import celrules, errors
from kro.devcluster.admission.attributes import Attributes, namespace_object
from kro.devcluster.admission.matching import MatchError, matches
from kro.devcluster.registry import Registry
from kro.devcluster.storage import InvalidSelectorError, LabelSelector, ListOptions, Store

POLICIES = "validatingadmissionpolicies.admissionregistration.k8s.io"
BINDINGS = "validatingadmissionpolicybindings.admissionregistration.k8s.io"
_CODES = {"Forbidden": 403, "Unauthorized": 401, "RequestEntityTooLarge": 413, "Invalid": 422}
_MAX_MESSAGE = 5 * 1024


class PolicyDenied(errors.ApiError):
    """A request refused by a policy, answered with the validation's reason and code."""

    def __init__(self, attrs: Attributes, message: str, reason: str) -> None:
        rt = attrs.rt
        resource = f"{rt.plural}.{rt.group}" if rt.group else rt.plural
        name = attrs.shown_name()
        details: dict[str, Any] = {"name": name, "kind": rt.plural, "causes": [{"message": message}]}
        if rt.group:
            details["group"] = rt.group
        super().__init__(f'{resource} "{name}" is forbidden: {message}', details=details)
        self.reason = reason
        self.code = _CODES.get(reason, 422)


@dataclass(frozen=True)
class _Decision:
    policy: str
    binding: str | None
    message: str
    reason: str = "Invalid"
    error: bool = False  # an evaluation or configuration error, not a failed validation


class ValidatingPolicies:
    """The policies and bindings in the store (kept exact by change hooks), and their enforcement."""

    def __init__(self, store: Store, registry: Registry | None = None) -> None:
        self._store = store
        self._registry = registry
        self._policies: dict[str, Mapping[str, Any]] = {}
        self._bindings: dict[str, Mapping[str, Any]] = {}
        store.on_change(POLICIES, lambda old, new: self._track(self._policies, old, new))
        store.on_change(BINDINGS, lambda old, new: self._track(self._bindings, old, new))

    @staticmethod
    def _track(into: dict[str, Mapping[str, Any]], old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> None:
        gone, kept = (old, new) if new is None else (None, new)
        if gone is not None:
            into.pop(_name(gone), None)
        if kept is not None:
            into[_name(kept)] = kept

    async def admit(self, attrs: Attributes, warnings: list[str]) -> None:
        """Refuse the request (:class:`PolicyDenied`) or let it pass, adding any warnings."""
        if not self._bindings:
            return
        context: _Context | None = None
        denied: list[_Decision] = []
        for pname in sorted(self._policies):
            policy = self._policies[pname]
            spec = _spec(policy)
            bindings = [b for _, b in sorted(self._bindings.items()) if _spec(b).get("policyName") == pname]
            if not bindings:
                continue
            if context is None:
                context = await _Context.load(self._store, attrs)
            try:
                if not matches(_mapping(spec.get("matchConstraints")), attrs, context.namespace_labels):
                    continue
            except MatchError as e:
                denied += _config_error(spec, pname, None, f"failed to configure policy: {e}")
                continue
            for binding in bindings:
                denied += await self._run_binding(spec, pname, binding, attrs, context, warnings)
        if denied:
            first = denied[0]
            where = f"with binding '{first.binding}' " if first.binding else ""
            message = f"ValidatingAdmissionPolicy '{first.policy}' {where}denied request: {first.message}"
            raise PolicyDenied(attrs, message, first.reason)

    async def _run_binding(
        self, spec: Mapping[str, Any], pname: str, binding: Mapping[str, Any], attrs: Attributes, context: _Context,
        warnings: list[str],
    ) -> list[_Decision]:
        bname = _name(binding)
        bspec = _spec(binding)
        try:
            if not matches(_mapping(bspec.get("matchResources")), attrs, context.namespace_labels):
                return []
        except MatchError as e:
            return _config_error(spec, pname, bname, f"failed to configure binding: {e}")
        try:
            params = await self._params(_mapping(spec.get("paramKind")), _mapping(bspec.get("paramRef")), attrs)
        except _ParamError as e:
            return _config_error(spec, pname, bname, f"failed to configure binding: {e}")
        decisions = [d for param in params for d in _evaluate(spec, pname, bname, attrs, context, param)]
        actions = bspec.get("validationActions") or []
        denied: list[_Decision] = []
        for d in decisions:
            if d.error and spec.get("failurePolicy") == "Ignore":
                continue
            if "Deny" in actions:
                denied.append(d)
            if "Warn" in actions:
                warnings.append(f"Validation failed for ValidatingAdmissionPolicy '{pname}' with binding '{bname}': {d.message}")
        return denied

    async def _params(self, kind: Mapping[str, Any] | None, ref: Mapping[str, Any] | None, attrs: Attributes) -> list[Any]:
        """The objects to evaluate the policy with, as kube-apiserver's ``CollectParams`` finds them:
        ``[None]`` without a ``paramKind`` or a ``paramRef``."""
        if kind is None or ref is None:
            return [None]
        api_version, kind_name = str(kind.get("apiVersion") or ""), str(kind.get("kind") or "")
        rt = self._registry.for_kind(api_version, kind_name) if self._registry is not None else None
        if rt is None:
            raise _ParamError(f"paramKind kind `&ParamKind{{APIVersion:{api_version},Kind:{kind_name},}}` not known")
        namespace = ""
        if rt.namespaced:
            namespace = str(ref.get("namespace") or "") or attrs.namespace
            if not namespace:
                raise _ParamError("cannot use namespaced paramRef in policy binding that matches cluster-scoped resources")
        elif ref.get("namespace"):
            raise _ParamError("paramRef.namespace must not be provided for a cluster-scoped `paramKind`")
        selector = _mapping(ref.get("selector"))
        if ref.get("name"):
            if selector is not None:
                raise _ParamError("paramRef.name and paramRef.selector are mutually exclusive")
            found = await self._store.get(rt.storage_key, namespace, str(ref["name"]))
            params: list[Any] = [found] if found is not None else []
        elif selector is not None:
            try:
                chosen = LabelSelector.from_match(selector)
            except InvalidSelectorError as e:
                raise _ParamError(str(e)) from e
            listed = await self._store.list(rt.storage_key, namespace or None, ListOptions(label_selector=chosen))
            params = list(listed.items)
        else:
            raise _ParamError("one of name or selector must be provided")
        if not params and ref.get("parameterNotFoundAction") == "Deny":
            raise _ParamError("no params found for policy binding with `Deny` parameterNotFoundAction")
        return params


@dataclass
class _Context:
    namespace_labels: Mapping[str, Any] | None
    namespace: dict[str, Any] | None

    @classmethod
    async def load(cls, store: Store, attrs: Attributes) -> _Context:
        if not attrs.rt.namespaced or not attrs.namespace:
            return cls(None, None)
        ns = await store.get("namespaces", "", attrs.namespace)
        meta = (ns or {}).get("metadata") or {}
        return cls(meta.get("labels") or {}, namespace_object(ns))


class _ParamError(Exception):
    """A binding's params cannot be found as configured: a configuration error of the binding."""


def _evaluate(
    spec: Mapping[str, Any], pname: str, bname: str, attrs: Attributes, context: _Context, params: Any = None
) -> list[_Decision]:
    data: dict[str, Any] = {
        "object": attrs.obj,
        "oldObject": attrs.old,
        "request": attrs.request(),
        "params": params,
        "namespaceObject": context.namespace,
        "variables": {},
    }
    try:
        for cond in spec.get("matchConditions") or []:
            if _run(str(cond.get("expression") or ""), data) is not True:
                return []
        for var in spec.get("variables") or []:
            data["variables"][str(var.get("name"))] = _run(str(var.get("expression") or ""), data)
    except celrules.RuleError as e:
        return [_Decision(pname, bname, str(e), error=True)]
    out = []
    for validation in spec.get("validations") or []:
        expression = str(validation.get("expression") or "")
        try:
            ok = _run(expression, data)
        except celrules.RuleError as e:
            out.append(_Decision(pname, bname, str(e), error=True))
            continue
        if ok is not True:
            out.append(_Decision(pname, bname, _message(validation, expression, data), str(validation.get("reason") or "Invalid")))
    return out


def _run(expression: str, data: Mapping[str, Any]) -> Any:
    try:
        return celrules.evaluate(expression, data)
    except celrules.RuleError as e:
        text = str(e)
        if text.startswith("compilation failed"):
            raise celrules.RuleError(f"compilation error: {text}") from e
        raise celrules.RuleError(f"expression '{expression}' resulted in error: {text}") from e


def _message(validation: Mapping[str, Any], expression: str, data: Mapping[str, Any]) -> str:
    """messageExpression's result (a non-empty single line), else ``message``, else the expression."""
    if validation.get("messageExpression"):
        try:
            rendered = celrules.evaluate(str(validation["messageExpression"]), data)
        except celrules.RuleError:
            rendered = None
        if isinstance(rendered, str):
            text = rendered.strip()
            if text and "\n" not in text and len(text) <= _MAX_MESSAGE:
                return text
    if str(validation.get("message") or "").strip():
        return str(validation["message"]).strip()
    return f"failed expression: {expression.strip()}"


def _config_error(spec: Mapping[str, Any], pname: str, bname: str | None, message: str) -> list[_Decision]:
    if spec.get("failurePolicy") == "Ignore":
        return []
    return [_Decision(pname, bname, message, error=True)]


def _spec(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    spec = obj.get("spec")
    return spec if isinstance(spec, Mapping) else {}


def _mapping(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def _name(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata")
    return str(meta.get("name") or "") if isinstance(meta, Mapping) else ""
