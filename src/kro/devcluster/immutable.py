"""What an update may not change in a built-in object, as kube-apiserver's update validation has it.

A Deployment's, ReplicaSet's, DaemonSet's or Job's ``spec.selector``; a StatefulSet's spec beyond
``replicas``, ``ordinals``, ``template``, ``updateStrategy``, ``persistentVolumeClaimRetentionPolicy``
and ``minReadySeconds``; a Job's ``spec.template``; a pod's spec beyond its containers' images,
``activeDeadlineSeconds``, ``tolerations``, ``terminationGracePeriodSeconds`` and ``schedulingGates``;
a PersistentVolumeClaim's spec beyond its ``volumeName`` (once) and, once bound, its storage request;
the data of a ConfigMap or Secret marked ``immutable``, and a Secret's ``type``. Without these, an
update that a real cluster refuses (422) would pass here.

Both objects are compared as kube-apiserver's Go types hold them (an absent field and its zero
value are the same, quantities by amount), as its semantic equality does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kro.api.refs import GVK
from kro.devcluster.errors import Cause
from kro.openapi.goencoding import as_written_back

_SELECTOR_IMMUTABLE = frozenset({("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "DaemonSet"), ("batch", "Job")})
_STATEFULSET_MUTABLE = ("replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy",
                        "minReadySeconds")
_STATEFULSET_FORBIDDEN = (
    "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
    "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
)
_POD_UPDATABLE = (
    "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
    "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if "
    "it was previously negative)"
)
_IMMUTABLE_WHEN_SET = "Forbidden: field is immutable when `immutable` is set"
_SPEC_CHECKED = _SELECTOR_IMMUTABLE | {("apps", "StatefulSet"), ("", "Pod"), ("", "PersistentVolumeClaim")}


def update_causes(gvk: GVK, new: Mapping[str, Any], old: Mapping[str, Any]) -> tuple[list[Cause], list[Cause]]:
    """The errors of an update of ``old`` to ``new``: those kube-apiserver reports before its
    validation of the new object, and those it reports after."""
    key = (gvk.group, gvk.kind)
    if key in (("", "ConfigMap"), ("", "Secret")):
        return _config_causes(gvk.kind, new, old), []
    if key not in _SPEC_CHECKED:
        return [], []
    if new.get("spec") == old.get("spec"):
        return [], []  # the common case (a status write, metadata) without the copies below
    n, o = as_written_back(gvk, new), as_written_back(gvk, old)
    spec, old_spec = dict(n.get("spec") or {}), dict(o.get("spec") or {})
    after: list[Cause] = []
    if key in _SELECTOR_IMMUTABLE and spec.get("selector") != old_spec.get("selector"):
        after.append(Cause("spec.selector", "FieldValueInvalid",
                           f"Invalid value: {go_label_selector(spec.get('selector'))}: field is immutable"))
    if key == ("batch", "Job") and spec.get("template") != old_spec.get("template"):
        after.append(Cause("spec.template", "FieldValueInvalid", "Invalid value: core.PodTemplateSpec{...}: field is immutable"))
    if key == ("apps", "StatefulSet"):
        _drop(_STATEFULSET_MUTABLE, spec, old_spec)
        if spec != old_spec:
            after.append(Cause("spec", "FieldValueForbidden", _STATEFULSET_FORBIDDEN))
    if key == ("", "Pod"):
        changed = _pod_spec_changes(spec, old_spec)
        if changed:
            after.append(_forbidden_spec(f"pod updates may not change fields other than {_POD_UPDATABLE}", changed))
    if key == ("", "PersistentVolumeClaim"):
        once = () if old_spec.get("volumeName") else ("volumeName",)  # set once, by whoever binds the claim
        _drop((*once, "volumeAttributesClassName"), spec, old_spec)
        if (o.get("status") or {}).get("phase") == "Bound":
            requests = dict((spec.get("resources") or {}).get("requests") or {})
            requests.pop("storage", None)
            old_requests = dict((old_spec.get("resources") or {}).get("requests") or {})
            requests.update({"storage": old_requests["storage"]} if "storage" in old_requests else {})
            spec["resources"] = {**(spec.get("resources") or {}), "requests": requests}
            old_spec["resources"] = {**(old_spec.get("resources") or {}), "requests": old_requests}
        changed = _changed(spec, old_spec)
        if changed:
            after.append(_forbidden_spec("spec is immutable after creation except resources.requests and "
                                         "volumeAttributesClassName for bound claims", changed))
    return [], after


def _config_causes(kind: str, new: Mapping[str, Any], old: Mapping[str, Any]) -> list[Cause]:
    causes: list[Cause] = []
    if kind == "Secret" and (new.get("type") or "Opaque") != (old.get("type") or "Opaque"):
        causes.append(Cause("type", "FieldValueInvalid", f'Invalid value: "{new.get("type") or "Opaque"}": field is immutable'))
    if old.get("immutable") is True:
        if new.get("immutable") is not True:
            causes.append(Cause("immutable", "FieldValueForbidden", _IMMUTABLE_WHEN_SET))
        fields = ("data", "binaryData") if kind == "ConfigMap" else ("data",)
        causes += [Cause(f, "FieldValueForbidden", _IMMUTABLE_WHEN_SET) for f in fields if new.get(f) != old.get(f)]
    return causes


def _pod_spec_changes(spec: dict[str, Any], old: dict[str, Any]) -> list[str]:
    """The top-level spec fields an update changes beyond what a pod update may change (the
    images of the containers, kept by position when their number is the same)."""
    _drop(("activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds", "schedulingGates",
           "ephemeralContainers"), spec, old)
    for field in ("containers", "initContainers"):
        mine, theirs = spec.get(field), old.get(field)
        if isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
            spec[field] = [{**c, "image": t.get("image")} if isinstance(c, dict) and isinstance(t, dict) else c
                           for c, t in zip(mine, theirs, strict=True)]
    return _changed(spec, old)


def _drop(fields: tuple[str, ...], *specs: dict[str, Any]) -> None:
    """Leave ``fields`` out of each spec: what an update may change is not compared."""
    for spec in specs:
        for field in fields:
            spec.pop(field, None)


def _changed(spec: Mapping[str, Any], old: Mapping[str, Any]) -> list[str]:
    """The top-level spec fields that differ, as paths."""
    return [f"spec.{k}" for k in sorted(set(spec) | set(old)) if spec.get(k) != old.get(k)]


def _forbidden_spec(detail: str, changed: list[str]) -> Cause:
    """kube-apiserver's ``spec: Forbidden: <detail>``, followed (where it appends a Go diff) by the
    fields that changed."""
    listed = "".join(f"\n  {path}" for path in changed)
    return Cause("spec", "FieldValueForbidden", f"Forbidden: {detail}\nchanged:{listed}")


def go_label_selector(selector: Any) -> str:
    """A ``metav1.LabelSelector`` as Go's ``%#v`` prints it (what ``field is immutable`` shows)."""
    selector = selector if isinstance(selector, Mapping) else {}
    labels = selector.get("matchLabels")
    if isinstance(labels, Mapping) and labels:
        shown = "map[string]string{" + ", ".join(f"{go_string(k)}:{go_string(v)}" for k, v in sorted(labels.items())) + "}"
    else:
        shown = "map[string]string(nil)"
    expressions = selector.get("matchExpressions")
    if isinstance(expressions, list) and expressions:
        items = []
        for e in expressions:
            e = e if isinstance(e, Mapping) else {}
            values = e.get("values")
            listed = ("[]string{" + ", ".join(go_string(v) for v in values) + "}") if isinstance(values, list) and values \
                else "[]string(nil)"
            items.append(f"v1.LabelSelectorRequirement{{Key:{go_string(e.get('key', ''))}, "
                         f"Operator:{go_string(e.get('operator', ''))}, Values:{listed}}}")
        exprs = "[]v1.LabelSelectorRequirement{" + ", ".join(items) + "}"
    else:
        exprs = "[]v1.LabelSelectorRequirement(nil)"
    return f"v1.LabelSelector{{MatchLabels:{shown}, MatchExpressions:{exprs}}}"


def go_string(value: Any) -> str:
    """``%#v`` of a Go string: double-quoted with Go's escapes (JSON's agree for printable text)."""
    text = str(value)
    out = []
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
