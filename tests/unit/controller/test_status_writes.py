"""When the instance controller writes an instance's status: only when what a user sees changes,
and never back to an older state because an informer cache had not caught up with its own write."""

from __future__ import annotations

from typing import Any

from kro.api.refs import GVR
from kro.controller.instance_controller import status_patch
from kro.controller.overlay import WriteOverlay, at_least

REDIS = GVR("kro.run", "v1alpha1", "redis")
IN_PROGRESS = {"state": "IN_PROGRESS", "conditions": [{"type": "Ready", "status": "False"}]}
ACTIVE = {"state": "ACTIVE", "conditions": [{"type": "Ready", "status": "True"}], "endpoint": "x:6379"}


def instance(rv: str, status: dict[str, Any] | None = None, name: str = "c1") -> dict[str, Any]:
    obj: dict[str, Any] = {"metadata": {"name": name, "namespace": "default", "resourceVersion": rv}}
    if status is not None:
        obj["status"] = status
    return obj


def test_an_unchanged_status_is_not_written() -> None:
    assert status_patch(ACTIVE, dict(ACTIVE)) is None


def test_a_changed_status_is_written_whole_and_dropped_fields_are_nulled() -> None:
    assert status_patch(ACTIVE, IN_PROGRESS) == {**IN_PROGRESS, "endpoint": None}
    assert status_patch({}, IN_PROGRESS) == IN_PROGRESS


def test_a_stale_cache_read_sees_the_controllers_own_write() -> None:
    overlay = WriteOverlay()
    overlay.record(REDIS, instance("7", ACTIVE))
    # the cache still holds the copy from before the ACTIVE write
    newest = overlay.newest(REDIS, "default", "c1", instance("5", IN_PROGRESS))
    assert newest is not None and newest["status"] == ACTIVE
    # so the status planned again from the same children is not written back to IN_PROGRESS
    assert status_patch(newest["status"], ACTIVE) is None


def test_the_cache_wins_once_it_has_caught_up_and_the_write_is_forgotten() -> None:
    overlay = WriteOverlay()
    overlay.record(REDIS, instance("7", ACTIVE))
    later = instance("9", IN_PROGRESS)  # someone changed it after our write: that is the truth
    assert overlay.newest(REDIS, "default", "c1", later) is later
    assert len(overlay) == 0


def test_the_informer_delivering_the_write_drops_it() -> None:
    overlay = WriteOverlay()
    overlay.record(REDIS, instance("7", ACTIVE))
    overlay.echo(REDIS, instance("6", IN_PROGRESS))  # an older event: still remembered
    assert len(overlay) == 1
    overlay.echo(REDIS, instance("7", ACTIVE))
    assert len(overlay) == 0


def test_every_version_its_own_reconciler_wrote_is_an_own_echo_until_the_cache_catches_up() -> None:
    overlay = WriteOverlay()
    overlay.record(REDIS, instance("6", None), own=True)  # the labels, then the status, in one reconcile
    overlay.record(REDIS, instance("7", IN_PROGRESS), own=True)
    overlay.record(REDIS, instance("3", None, name="child"))  # a parent's write of a chained instance
    assert overlay.echo(REDIS, instance("5", None)) == (False, False)  # someone else's older version
    assert overlay.echo(REDIS, instance("6", None)) == (False, True)  # the labels' echo
    assert overlay.echo(REDIS, instance("7", IN_PROGRESS)) == (True, True)
    assert overlay.echo(REDIS, instance("3", None, name="child")) == (True, False)
    assert len(overlay) == 0
    assert overlay.echo(REDIS, instance("8", ACTIVE)) == (False, False)  # a later change is news


def test_an_older_answer_does_not_replace_a_newer_one() -> None:
    overlay = WriteOverlay()
    overlay.record(REDIS, instance("9", ACTIVE))
    overlay.record(REDIS, instance("8", IN_PROGRESS))  # answers of concurrent writes, out of order
    assert (overlay.newest(REDIS, "default", "c1", None) or {})["status"] == ACTIVE


def test_resource_versions_that_are_not_numbers_are_not_ordered_and_the_cache_is_trusted() -> None:
    assert at_least("10", "9") is True and at_least("9", "10") is False
    assert at_least("abc", "abd") is None and at_least("abc", "abc") is True
    overlay = WriteOverlay()
    overlay.record(REDIS, instance("b", ACTIVE))
    cached = instance("a", IN_PROGRESS)
    assert overlay.newest(REDIS, "default", "c1", cached) is cached


def test_objects_are_kept_apart_and_forgotten_on_deletion() -> None:
    overlay = WriteOverlay()
    overlay.record(REDIS, instance("3", ACTIVE, name="a"))
    overlay.record(REDIS, instance("4", ACTIVE, name="b"))
    assert overlay.newest(REDIS, "default", "c1", None) is None
    overlay.forget(REDIS, "default", "a")
    assert overlay.newest(REDIS, "default", "a", None) is None
    assert overlay.newest(REDIS, "default", "b", None) is not None
