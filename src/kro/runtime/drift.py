"""Whether an observed object already holds every field kro wants it to hold.

The controller skips a server-side apply when it would change nothing, so a converged instance
causes no writes at all. "Holds" means: every field of the desired body is present with an equal
value; the server may add fields (defaults, status, metadata) freely. Lists must match element by
element, since an apply replaces an atomic list and merges a keyed one position by position the way
the desired body lists it.

The decision is made on the informer's copy, and :mod:`kro.kube.cache` drops
``metadata.managedFields`` (the largest part of most objects), so kro cannot ask the server which
fields its field manager owns. It does not need to:

- a field kro sets and someone else changed (``kubectl edit``, another controller) no longer holds
  the desired value, so the child is applied again with ``force`` and the field is repaired (drift);
  fields kro does not set stay with whoever set them;
- a field kro *stopped* setting (removed from the template) still holds whatever it held, which a
  value comparison cannot see: every desired body therefore carries ``internal.kro.run/desired-hash``
  (:func:`desired_hash`, over the body without that annotation), and a new hash is itself a field
  that does not hold, so the apply goes out and server-side apply drops the released field.

A built-in kind comes back from kube-apiserver as its Go types write it (:mod:`kro.openapi.gofacts`):
``hostNetwork: false``, ``args: []`` and ``nodeSelector: {}`` are not there, ``cpu: "0.1"`` reads
``100m``. :func:`holds_object` takes that for holding, or every reconcile would apply again what
the server already has."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

import orjson

from kro.api.quantity import parse_quantity
from kro.api.refs import GVK
from kro.openapi.gofacts import EMPTY, NULL_WHEN_EMPTY, QUANTITY, GoFacts, go_facts, is_empty, is_zero


def holds(observed: Any, desired: Any) -> bool:
    """True when ``observed`` already contains everything ``desired`` specifies.

    :func:`holds_reference` says the same for any mappings and sequences; this walks plain dicts
    and lists (what decoded JSON is) without the abstract-class checks, and hands anything else
    to the reference."""
    kind = type(desired)
    if kind is dict and type(observed) is dict:
        return _dict_holds(observed, desired)
    if kind is list:
        return (
            isinstance(observed, list)
            and len(observed) == len(desired)
            and all(holds(o, d) for o, d in zip(observed, desired, strict=True))
        )
    return holds_reference(observed, desired)


def _dict_holds(observed: dict[str, Any], desired: dict[str, Any]) -> bool:
    get = observed.get
    for key, value in desired.items():
        kind = type(value)
        if kind is str:
            if get(key, _ABSENT) != value:  # text equals only text (a bool never equals it)
                return False
        elif kind is dict:
            have = get(key, _ABSENT)
            if type(have) is dict:
                if not _dict_holds(have, value):
                    return False
            elif have is _ABSENT or not holds_reference(have, value):
                return False
        elif value is None:
            if get(key) is not None:
                return False
        elif key not in observed or not holds(observed[key], value):
            return False
    return True


_ABSENT = object()


def holds_object(gvk: GVK, observed: Any, desired: Any) -> bool:
    """:func:`holds` for an object of ``gvk``; for a built-in kind, a value its Go type drops or
    respells holds when the server dropped or respelled it (:func:`holds_as_go`), and a Secret's
    write-only ``stringData`` holds when ``data`` has its values."""
    if holds(observed, desired):
        return True
    facts = go_facts()
    definition = facts.definition_for(gvk)
    if definition is None:
        return False
    if gvk.group == "" and gvk.kind == "Secret" and type(desired) is dict and "stringData" in desired:
        desired = _string_data_merged(desired)
    return holds_as_go(observed, desired, facts, definition)


def _string_data_merged(secret: dict[str, Any]) -> dict[str, Any]:
    """A Secret as kube-apiserver stores it: ``stringData`` merged into ``data`` (base64), winning
    over a ``data`` key of the same name."""
    string_data = secret.get("stringData")
    out = {k: v for k, v in secret.items() if k != "stringData"}
    if isinstance(string_data, dict) and string_data:
        data = dict(out.get("data") or {})
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode() if isinstance(value, str) else value
        out["data"] = data
    return out


def holds_as_go(observed: Any, desired: Any, facts: GoFacts, definition: str) -> bool:
    """:func:`holds` for a value of the Go type ``definition``: a desired zero value or empty
    collection the type drops holds when the field is absent or null, and quantities hold when
    they are the same amount (``0.1`` and ``100m``, ``1024Mi`` and ``1Gi``)."""
    if type(desired) is not dict or type(observed) is not dict:
        return holds(observed, desired)
    fields = facts.fields(definition)
    for key, want in desired.items():
        have = observed.get(key, _ABSENT)
        fact = fields.get(key)
        if fact is None:
            if not _key_holds(have, want):
                return False
            continue
        omit, child = fact
        collection = omit in (EMPTY, NULL_WHEN_EMPTY)
        if have is _ABSENT or have is None:
            if want is None or is_zero(omit, want) or (collection and is_empty(want)):
                continue
            return False
        if child == QUANTITY:
            if not _quantities_hold(have, want, collection=collection):
                return False
        elif child and collection and type(want) is list:
            if type(have) is not list or len(have) != len(want):
                return False
            if not all(holds_as_go(h, w, facts, child) for h, w in zip(have, want, strict=True)):
                return False
        elif child and collection and type(want) is dict:
            if type(have) is not dict:
                return False
            for k, w in want.items():
                h = have.get(k, _ABSENT)
                if w is None:
                    if h is not _ABSENT and h is not None:
                        return False
                elif h is _ABSENT or not holds_as_go(h, w, facts, child):
                    return False
        elif child and not collection:
            if not holds_as_go(have, want, facts, child):
                return False
        elif not holds(have, want):
            return False
    return True


def _key_holds(have: Any, want: Any) -> bool:
    if want is None:
        return have is _ABSENT or have is None
    return have is not _ABSENT and holds(have, want)


def _quantities_hold(have: Any, want: Any, *, collection: bool) -> bool:
    if not collection:
        return _same_amount(have, want)
    if type(want) is dict:
        return type(have) is dict and all(k in have and _same_amount(have[k], w) for k, w in want.items())
    if type(want) is list:
        return (
            type(have) is list
            and len(have) == len(want)
            and all(_same_amount(h, w) for h, w in zip(have, want, strict=True))
        )
    return holds(have, want)


def _same_amount(have: Any, want: Any) -> bool:
    if holds(have, want):
        return True
    if isinstance(have, bool) or isinstance(want, bool):
        return False
    if not isinstance(have, str | int | float) or not isinstance(want, str | int | float):
        return False
    try:
        return parse_quantity(str(have)).nanos == parse_quantity(str(want)).nanos
    except ValueError:
        return False


def holds_reference(observed: Any, desired: Any) -> bool:
    """:func:`holds`, written plainly for any mappings and sequences."""
    if isinstance(desired, Mapping):
        if not isinstance(observed, Mapping):
            return False
        return all(
            (v is None and observed.get(k) is None) or (k in observed and holds_reference(observed[k], v))
            for k, v in desired.items()
        )
    if isinstance(desired, list):
        return (
            isinstance(observed, list)
            and len(observed) == len(desired)
            and all(holds_reference(o, d) for o, d in zip(observed, desired, strict=True))
        )
    if isinstance(desired, bool) or isinstance(observed, bool):
        return desired is observed
    if isinstance(desired, int | float) and isinstance(observed, int | float):
        return float(desired) == float(observed)
    return bool(desired == observed)


def desired_hash(body: Mapping[str, Any]) -> str:
    """A short digest of a desired body (canonical JSON). kro stores it on the child as
    ``internal.kro.run/desired-hash``: a field dropped from the template changes the digest, which
    a "does the object hold every desired field" check alone would not notice."""
    return hashlib.sha256(canonical_json(body)).hexdigest()[:16]


def canonical_json(body: Any) -> bytes:
    """``json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)``, byte for byte
    (digests of it are stored on objects): written by orjson, several times faster, unless orjson
    could write anything else. It spells some floats differently, writes ``NaN`` as ``null``, text
    beyond ASCII (and DEL) unescaped, and refuses non-string keys and integers past 64 bits: then
    the standard library writes it."""
    try:
        out = orjson.dumps(body, default=str, option=_ORJSON_CANONICAL)
    except TypeError:
        return _canonical_reference(body)
    if not out.isascii() or b"\x7f" in out or b"null" in out or _has_float_token(out):
        return _canonical_reference(body)
    return out


def _canonical_reference(body: Any) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


_ORJSON_CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_DIGIT_THEN_POINT = re.compile(rb"[0-9][.eE]")
_DIGITS = frozenset(b"0123456789")
_BEFORE_A_VALUE = frozenset(b":[,")


def _has_float_token(out: bytes) -> bool:
    """Whether ``out`` holds a number with a fraction or an exponent (``(^|[:[,])-?[0-9]+[.eE]``: every
    float orjson writes, and some text that only looks so), found from each digit followed by
    ``.``/``e``, which are few, rather than from every ``:``, ``[`` and ``,``."""
    for match in _DIGIT_THEN_POINT.finditer(out):
        i = match.start()
        while i > 0 and out[i - 1] in _DIGITS:
            i -= 1
        if i > 0 and out[i - 1] == 0x2D:  # a minus sign
            i -= 1
        if i == 0 or out[i - 1] in _BEFORE_A_VALUE:  # a value, or the whole document
            return True
    return False
