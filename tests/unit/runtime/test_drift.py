"""holds(): the apply-or-skip decision."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kro.runtime.drift import canonical_json, desired_hash, holds

DESIRED = {"metadata": {"name": "a", "labels": {"x": "1"}}, "spec": {"ports": [{"port": 80}], "replicas": 2}}


def test_server_additions_do_not_count_as_drift() -> None:
    observed = {
        "metadata": {"name": "a", "uid": "u", "labels": {"x": "1", "other": "y"}},
        "spec": {"ports": [{"port": 80, "protocol": "TCP"}], "replicas": 2.0},
        "status": {"ok": True},
    }
    assert holds(observed, DESIRED)


def test_changed_missing_or_reordered_fields_are_drift() -> None:
    assert not holds(
        {"metadata": {"name": "a", "labels": {"x": "2"}}, "spec": {"ports": [{"port": 80}], "replicas": 2}},
        DESIRED,
    )
    assert not holds(
        {"metadata": {"name": "a", "labels": {"x": "1"}}, "spec": {"ports": [{"port": 80}]}}, DESIRED
    )
    assert not holds(
        {"metadata": {"name": "a", "labels": {"x": "1"}}, "spec": {"ports": [], "replicas": 2}}, DESIRED
    )
    assert not holds({"a": 1}, {"a": True})


def test_the_desired_hash_changes_when_a_field_is_dropped() -> None:
    assert desired_hash(DESIRED) == desired_hash({"spec": DESIRED["spec"], "metadata": DESIRED["metadata"]})
    assert desired_hash(DESIRED) != desired_hash({"metadata": DESIRED["metadata"]})


def _stamped(body: dict) -> dict:  # type: ignore[type-arg]
    meta = {**body["metadata"], "annotations": {"internal.kro.run/desired-hash": desired_hash(body)}}
    return {**body, "metadata": meta}


def test_a_field_dropped_from_the_template_does_not_hold_thanks_to_the_hash() -> None:
    before = {"metadata": {"name": "a"}, "data": {"keep": "1", "drop": "2"}}
    after = {"metadata": {"name": "a"}, "data": {"keep": "1"}}
    applied = {**_stamped(before), "metadata": {**_stamped(before)["metadata"], "uid": "u"}}
    assert holds(applied, after)  # values alone cannot see the dropped field
    assert not holds(applied, _stamped(after))
    assert holds(applied, _stamped(before))


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10)
    | st.sampled_from(["redis:7.2", "a,1.5", "[0e", "x:-1E3", "1e-07"])
    | st.binary(max_size=4)
    | st.dates()
)
_documents = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    | st.dictionaries(st.integers(-3, 3), inner, max_size=2),
    max_leaves=25,
)


@settings(max_examples=500)
@given(_documents)
def test_canonical_json_is_the_standard_librarys_byte_for_byte(body: Any) -> None:
    # digests of it are stored on every child: a different spelling would re-apply them all
    reference = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
    assert canonical_json(body) == reference


@settings(max_examples=500)
@given(st.binary(max_size=30) | st.text(alphabet='0123456789.eE-:[,"a ', max_size=30).map(str.encode))
def test_the_float_scan_finds_what_the_plain_pattern_finds(out: bytes) -> None:
    import re

    from kro.runtime.drift import _has_float_token

    assert _has_float_token(out) == bool(re.search(rb"(^|[:\[,])-?[0-9]+[.eE]", out))


def test_a_document_that_is_a_float_is_spelt_as_the_standard_library_spells_it() -> None:
    # orjson writes 5.960464477539063e-8 where json writes ...e-08: a digest must not depend on it
    for body in (5.960464477539063e-08, -1e-07, 1.5, [1e-07], {"a": 1e-07}):
        assert canonical_json(body) == json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _observed_from(desired: Any, draw: Any) -> Any:
    """An object the server could hold for ``desired``: mostly the same, with fields added, and
    now and then a value swapped for a look-alike (``1`` for ``1.0`` or ``True``, text for a map)."""
    roll = draw(st.integers(0, 9))
    if roll == 0:
        return draw(_documents)
    if roll == 1:
        return draw(st.sampled_from([1, 1.0, True, False, 0, None, "1", [], {}]))
    if isinstance(desired, dict):
        out = {k: _observed_from(v, draw) for k, v in desired.items() if draw(st.integers(0, 15)) > 0}
        out.update(draw(st.dictionaries(st.text(max_size=3), _scalars, max_size=2)))
        return out
    if isinstance(desired, list):
        return [_observed_from(v, draw) for v in desired]
    return desired


@settings(max_examples=1000)
@given(st.data())
def test_holds_decides_as_the_plain_reference(data: st.DataObject) -> None:
    from kro.runtime.drift import holds_reference

    desired = data.draw(_documents)
    observed = _observed_from(desired, data.draw)
    assert holds(observed, desired) == holds_reference(observed, desired)
    assert holds(desired, desired) == holds_reference(desired, desired)
