"""The garbage collector's decision for one dependent, from the state of its owners."""

from __future__ import annotations

from typing import Any

from kro.devcluster.gc import Decision, OwnerState, decide


def dependent(*refs: dict[str, Any], finalizers: list[str] | None = None, deleting: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "d", "uid": "d-uid", "ownerReferences": list(refs)}
    if finalizers:
        meta["finalizers"] = finalizers
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta}


def ref(uid: str, *, block: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": uid, "uid": uid}
    if block:
        out["blockOwnerDeletion"] = True
    return out


def states(**kw: OwnerState) -> dict[str, OwnerState]:
    return dict(kw)


def test_all_owners_gone_deletes_in_background() -> None:
    assert decide(dependent(ref("a")), states(a="dangling"), has_dependents=False) == Decision("delete", "Background")


def test_a_living_owner_keeps_the_dependent_and_drops_the_dangling_reference() -> None:
    d = decide(dependent(ref("a"), ref("b")), states(a="dangling", b="solid"), has_dependents=False)
    assert d.action == "update"
    assert [r["uid"] for r in d.owner_references] == ["b"]


def test_nothing_to_do_while_every_owner_lives() -> None:
    assert decide(dependent(ref("a")), states(a="solid"), has_dependents=False) == Decision("keep")


def test_unverifiable_owner_is_never_taken_as_gone() -> None:
    assert decide(dependent(ref("a"), ref("b")), states(a="dangling", b="unknown"), has_dependents=False).action == "keep"


def test_owner_deleted_in_foreground_deletes_dependent_foreground_when_it_has_dependents() -> None:
    assert decide(dependent(ref("a", block=True)), states(a="waiting"), has_dependents=True) == Decision(
        "delete", "Foreground"
    )
    assert decide(dependent(ref("a", block=True)), states(a="waiting"), has_dependents=False) == Decision(
        "delete", "Background"
    )


def test_waiting_owner_is_unblocked_when_another_owner_keeps_the_dependent() -> None:
    d = decide(dependent(ref("a", block=True), ref("b")), states(a="waiting", b="solid"), has_dependents=False)
    assert d.action == "update"
    assert d.owner_references[0]["blockOwnerDeletion"] is False


def test_dependent_own_finalizers_choose_the_policy() -> None:
    orphaning = dependent(ref("a"), finalizers=["orphan"])
    assert decide(orphaning, states(a="dangling"), has_dependents=False).policy == "Orphan"


def test_objects_already_being_deleted_or_without_owners_are_left_alone() -> None:
    assert decide(dependent(ref("a"), deleting=True), states(a="dangling"), has_dependents=False).action == "keep"
    assert decide(dependent(), {}, has_dependents=False).action == "keep"
