"""Built-in kinds' schemas from the definitions shipped by ``kubernetes-validate``.

The shipped documents are JSON Schema: nullable fields are ``type: [T, "null"]`` and references point
at ``/api/_definitions.json#/$defs/<name>``. :meth:`BuiltinSchemas.schema_for` turns them back into the
OpenAPI v3 shape the API server publishes (a single ``type``, ``$ref`` inlined up to a depth limit so
recursive types such as ``JSONSchemaProps`` stay finite), which is what the compiler, the CEL type
checker and the local API server consume.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from kro.api.refs import GVK

DEFAULT_KUBERNETES_VERSION = "v1.32.0"
_REF_PREFIXES = ("/api/_definitions.json#/$defs/", "#/$defs/", "_definitions.json#/$defs/")
_MAX_DEPTH = 12

# Definitions whose shape kube-apiserver publishes differently from their JSON-schema rendering.
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
# Embedded JSON of any shape (a ControllerRevision's data): kube-apiserver keeps it as raw bytes.
_RAW_EXTENSION = "io.k8s.apimachinery.pkg.runtime.RawExtension"


class BuiltinSchemas:
    """One Kubernetes version's definitions, indexed by GVK."""

    def __init__(self, definitions: Mapping[str, Any]) -> None:
        self._defs = definitions
        self._by_gvk: dict[GVK, str] = {}
        for name, d in definitions.items():
            for g in d.get("x-kubernetes-group-version-kind", []) or []:
                gvk = GVK(g.get("group", ""), g["version"], g["kind"])
                # Prefer the definition whose own name ends with the kind (not e.g. DeleteOptions).
                if gvk not in self._by_gvk or name.endswith("." + gvk.kind):
                    self._by_gvk[gvk] = name

    @property
    def definitions(self) -> Mapping[str, Any]:
        return self._defs

    def kinds(self) -> list[GVK]:
        return sorted(self._by_gvk)

    def definition_name(self, gvk: GVK) -> str | None:
        return self._by_gvk.get(gvk)

    def schema_for(self, gvk: GVK) -> dict[str, Any] | None:
        """The kind's schema, references inlined, in OpenAPI v3 shape; ``None`` for an unknown kind."""
        name = self._by_gvk.get(gvk)
        if name is None:
            return None
        return self.resolve_definition(name)

    @functools.lru_cache(maxsize=512)  # noqa: B019 - instances live for the process and are few
    def resolve_definition(self, name: str) -> dict[str, Any]:
        converted: dict[str, Any] = self._convert(self._defs[name], depth=0, chain=(name,))
        return converted

    def _convert(self, node: Any, *, depth: int, chain: tuple[str, ...]) -> Any:
        """``chain`` holds the definitions being inlined above this node: a definition met again in
        its own chain (``JSONSchemaProps`` in itself) is recursive and becomes a free-form object,
        so every schema stays finite and small."""
        if isinstance(node, list):
            return [self._convert(x, depth=depth, chain=chain) for x in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = _ref_name(ref)
            extra = {k: v for k, v in node.items() if k != "$ref"}
            if target == _INT_OR_STRING:
                out: dict[str, Any] = {"x-kubernetes-int-or-string": True}
            elif target == _QUANTITY:
                out = {"x-kubernetes-int-or-string": True}
            elif target == _RAW_EXTENSION or depth >= _MAX_DEPTH or target in chain:
                out = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
            else:
                out = dict(self._convert(self._defs[target], depth=depth + 1, chain=(*chain, target)))
            for k, v in extra.items():
                out.setdefault(k, self._convert(v, depth=depth, chain=chain))
            return out
        out = {}
        for key, value in node.items():
            if key == "type" and isinstance(value, list):
                kinds = [t for t in value if t != "null"]
                if kinds:
                    out["type"] = kinds[0]
                continue
            if key == "oneOf" and _is_int_or_string(value):
                out["x-kubernetes-int-or-string"] = True
                continue
            if key in ("x-kubernetes-group-version-kind", "$schema", "$id"):
                if key == "x-kubernetes-group-version-kind":
                    out[key] = value
                continue
            if key == "enum" and isinstance(value, list) and depth == 0:
                # apiVersion/kind enums in the shipped documents; the API server publishes none.
                continue
            out[key] = self._convert(value, depth=depth, chain=chain)
        return out


def _is_int_or_string(one_of: Any) -> bool:
    if not isinstance(one_of, list) or len(one_of) != 2:
        return False
    types: set[str] = set()
    for alt in one_of:
        t = alt.get("type") if isinstance(alt, dict) else None
        if isinstance(t, list):
            types.update(x for x in t if x != "null")
        elif isinstance(t, str):
            types.add(t)
    return types == {"string", "integer"}


def _ref_name(ref: str) -> str:
    for prefix in _REF_PREFIXES:
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return ref.rsplit("/", 1)[-1]


def load_definitions(version: str = DEFAULT_KUBERNETES_VERSION) -> dict[str, Any]:
    """Read the shipped definitions of one Kubernetes version (e.g. ``"v1.32.0"``)."""
    root = resources.files("kubernetes_validate") / "kubernetes-json-schema" / f"{version}-local"
    with (root / "_definitions.json").open("r", encoding="utf-8") as f:
        doc = json.load(f)
    defs = doc.get("$defs") or doc.get("definitions") or {}
    if not isinstance(defs, dict):
        raise ValueError(f"unexpected definitions document for Kubernetes {version}")
    return defs


@functools.cache
def builtin_schemas(version: str = DEFAULT_KUBERNETES_VERSION) -> BuiltinSchemas:
    """The built-in schemas of one Kubernetes version, loaded once per process."""
    return BuiltinSchemas(load_definitions(version))
