"""Planning one included node whose dependencies are ready: resolve it, observe it, judge readiness.

The result (:class:`NodeResult`) says what to apply, what the node binds for its dependents and
status, and the node's state with its reason. Evaluation failures never escape: pending data becomes
WAITING_FOR_READINESS, anything else ERROR."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kro.api.conditions import NodeState
from kro.api.keys import Annotations
from kro.api.refs import GVK, ObjectRef
from kro.graph.model import Node, NodeKind
from kro.runtime.drift import desired_hash
from kro.runtime.errors import CollectionError, ExpressionFailed, ExpressionPending
from kro.runtime.foreach import CollectionLimits, expand
from kro.runtime.labels import child_annotations, child_labels, decorate
from kro.runtime.observed import ObservedState
from kro.runtime.plan import DesiredObject, ExternalRead
from kro.runtime.readiness import collection_not_ready, items_not_ready, scalar_not_ready
from kro.runtime.resolve import resolve_template

Obj = Mapping[str, Any]
_UNBOUND = object()


@dataclass(frozen=True)
class NodeContext:
    instance: Obj
    instance_gvk: GVK
    namespace: str
    kro_version: str
    apply_order: int
    limits: CollectionLimits
    extra_labels: Mapping[str, str] = field(default_factory=dict)
    """Labels beyond kro's usual ones (a ResourceGraph's ``kro.dev/root`` and ``kro.dev/graph``)."""
    owner: Mapping[str, Any] | None = None
    """An ownerReference to the root, set on children whose scope allows it."""
    part_of: str | None = None
    """The instance's ApplySet id (:func:`~kro.runtime.labels.instance_applyset_id`), computed
    once per plan; ``None``: computed for each child."""


@dataclass(frozen=True)
class NodeResult:
    state: NodeState
    reason: str = ""
    desired: tuple[DesiredObject, ...] = ()
    resolved: bool = False
    """True when ``desired`` is the node's complete desired set (so stale objects may be pruned)."""
    binding: Any = _UNBOUND
    item_reasons: tuple[str, ...] = ()
    """For a collection: each desired item's own reason it is not ready, ``""`` when it is."""
    read: ExternalRead | None = None
    """For an external reference: the object (or selection) it read, found or not."""

    @property
    def bound(self) -> bool:
        return self.binding is not _UNBOUND


def plan_node(
    node: Node, bindings: Mapping[str, Any], observed: ObservedState, ctx: NodeContext
) -> NodeResult:
    try:
        if node.kind is NodeKind.EXTERNAL:
            return _external(node, bindings, observed, ctx)
        if node.kind is NodeKind.EXTERNAL_COLLECTION:
            return _external_collection(node, bindings, observed, ctx)
        if node.is_collection:
            return _collection(node, bindings, observed, ctx)
        return _scalar(node, bindings, observed, ctx)
    except ExpressionPending as e:
        return NodeResult(NodeState.WAITING_FOR_READINESS, f"cannot resolve yet: {e}")
    except (ExpressionFailed, CollectionError, ValueError) as e:
        return NodeResult(NodeState.ERROR, str(e))


def _scalar(node: Node, bindings: Mapping[str, Any], observed: ObservedState, ctx: NodeContext) -> NodeResult:
    desired = _desired(node, resolve_template(node.template, node.fields, bindings), ctx, None)
    ref = desired.ref
    current = observed.get(node.gvk, ref.namespace, ref.name)
    if current is None:
        return NodeResult(NodeState.IN_PROGRESS, f"creating {ref}", (desired,), True)
    reason = scalar_not_ready(node, current, bindings)
    state = NodeState.SYNCED if reason is None else NodeState.WAITING_FOR_READINESS
    return NodeResult(state, reason or "", (desired,), True, current)


def _collection(
    node: Node, bindings: Mapping[str, Any], observed: ObservedState, ctx: NodeContext
) -> NodeResult:
    items = expand(node, bindings, limits=ctx.limits)
    size = len(items)
    desired = tuple(
        _desired(node, resolve_template(node.template, node.fields, item), ctx, (i, size))
        for i, item in enumerate(items)
    )
    seen: dict[tuple[str, str], int] = {}
    for i, d in enumerate(desired):
        key = (d.ref.namespace, d.ref.name)
        if key in seen:
            raise CollectionError(f"items {seen[key]} and {i} both resolve to {d.ref}")
        seen[key] = i
    currents = [observed.get(node.gvk, d.ref.namespace, d.ref.name) for d in desired]
    binding = [c for c in currents if c is not None]
    reason = collection_not_ready(node, currents, bindings)
    if reason is None:
        return NodeResult(NodeState.SYNCED, "", desired, True, binding)
    missing = len(currents) - len(binding)
    state = NodeState.IN_PROGRESS if missing else NodeState.WAITING_FOR_READINESS
    per_item = tuple(r or "" for r in items_not_ready(node, currents, bindings))
    return NodeResult(state, reason, desired, True, binding, per_item)


def _external(
    node: Node, bindings: Mapping[str, Any], observed: ObservedState, ctx: NodeContext
) -> NodeResult:
    body = resolve_template(node.template, node.fields, bindings)
    meta = body.get("metadata") or {}
    namespace = str(meta.get("namespace") or (ctx.namespace if node.namespaced else ""))
    ref = ObjectRef(node.gvk, namespace, str(meta.get("name", "")))
    read = ExternalRead(node.gvk, ref.namespace, ref.name)
    current = observed.get(node.gvk, ref.namespace, ref.name)
    if current is None:
        return NodeResult(NodeState.WAITING_FOR_READINESS, f"external {ref} not found", read=read)
    reason = scalar_not_ready(node, current, bindings)
    state = NodeState.SYNCED if reason is None else NodeState.WAITING_FOR_READINESS
    return NodeResult(state, reason or "", binding=current, read=read)


def _external_collection(
    node: Node, bindings: Mapping[str, Any], observed: ObservedState, ctx: NodeContext
) -> NodeResult:
    body = resolve_template(node.template, node.fields, bindings)
    meta = body.get("metadata") or {}
    selector = meta.get("selector") or node.external_selector or {}
    namespace = meta.get("namespace") or None
    found: Sequence[Obj] = observed.select(node.gvk, namespace, selector)
    reason = collection_not_ready(node, list(found), bindings)
    state = NodeState.SYNCED if reason is None else NodeState.WAITING_FOR_READINESS
    read = ExternalRead(node.gvk, namespace, selector=selector)
    return NodeResult(state, reason or "", binding=list(found), read=read)


def _desired(
    node: Node, body: dict[str, Any], ctx: NodeContext, collection: tuple[int, int] | None
) -> DesiredObject:
    meta = dict(body.get("metadata") or {})
    if not meta.get("name"):
        raise ValueError(f"{node.gvk.kind} of node `{node.id}` resolved to an empty metadata.name")
    if node.namespaced:
        meta.setdefault("namespace", ctx.namespace)
        if not meta.get("namespace"):
            meta["namespace"] = ctx.namespace
    else:
        meta.pop("namespace", None)
    body = {**body, "apiVersion": node.gvk.api_version, "kind": node.gvk.kind, "metadata": meta}
    labels = child_labels(
        ctx.instance,
        ctx.instance_gvk,
        node_id=node.id,
        kro_version=ctx.kro_version,
        collection=collection,
        part_of=ctx.part_of,
    )
    labels.update(ctx.extra_labels)
    if ctx.owner is not None and _may_own(ctx, node, str(meta.get("namespace") or "")):
        body["metadata"] = {**meta, "ownerReferences": [dict(ctx.owner)]}
    decorated = decorate(body, labels=labels, annotations=child_annotations(apply_order=ctx.apply_order))
    decorated = decorate(
        decorated, labels={}, annotations={Annotations.DESIRED_HASH: desired_hash(decorated)}
    )
    return DesiredObject(node.id, node.gvk, node.plural, node.namespaced, decorated)


def _may_own(ctx: NodeContext, node: Node, namespace: str) -> bool:
    """Kubernetes allows an owner in the same namespace, or a cluster-scoped one; a cluster-scoped
    child cannot have a namespaced owner."""
    if not ctx.namespace:  # the root is cluster-scoped
        return True
    return node.namespaced and namespace == ctx.namespace
