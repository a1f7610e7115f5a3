"""CRD ``x-kubernetes-validations``: CEL rules evaluated at each schema node against ``self`` (the
value there) and, for transition rules, ``oldSelf`` (the stored value at the same path, on update).

Rules are compiled once per text with the variables declared ``dyn`` (the schema has already been
checked structurally, so the types are known to hold). A failed rule becomes a field error like
kube-apiserver's: ``spec: Invalid value: "object": <message>``, with the rule's ``reason`` and
``fieldPath`` when given.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from cel_expr_python import cel
from cel_expr_python.ext import ext_strings

from kro.devcluster.errors import Cause

_OLD_SELF = re.compile(r"\boldSelf\b")
_MISSING = object()
_REASONS = {"FieldValueInvalid", "FieldValueForbidden", "FieldValueRequired", "FieldValueDuplicate"}


class RuleError(Exception):
    """A rule that does not compile or does not evaluate to the expected type."""


_RULE_VARIABLES = ("self", "oldSelf")


@functools.cache
def _env(variables: tuple[str, ...] = _RULE_VARIABLES) -> Any:  # the engine environment is untyped
    return cel.NewEnv(variables=dict.fromkeys(variables, cel.Type.DYN), extensions=[ext_strings.ExtStrings()])


@functools.lru_cache(maxsize=2048)
def _program(rule: str, variables: tuple[str, ...] = _RULE_VARIABLES) -> Any:
    try:
        return _env(variables).compile(rule)
    except RuntimeError as e:
        raise RuleError(f"compilation failed: {str(e).splitlines()[0]}") from e


def _evaluate(rule: str, self_value: Any, old_value: Any) -> Any:
    data: dict[str, Any] = {"self": self_value}
    if old_value is not _MISSING:
        data["oldSelf"] = old_value
    return _run(_program(rule), data)


def _run(program: Any, data: Mapping[str, Any]) -> Any:
    try:
        value = program.eval(data=dict(data))
    except RuntimeError as e:
        raise RuleError(_explain(str(e).splitlines()[0])) from e
    plain = value.plain_value()
    if str(value.type()) in ("ERROR", "Type.ERROR") or (isinstance(plain, str) and "ERROR" in str(value.type())):
        raise RuleError(_explain(str(plain)))
    return plain


def evaluate(expression: str, variables: Mapping[str, Any]) -> Any:
    """``expression`` evaluated with ``variables`` bound (each declared ``dyn``), as plain data.

    Raises :class:`RuleError` with the compile error (``compilation failed: ...``) or the run-time
    error in kube-apiserver's words. The program is compiled once per text and variable set."""
    return _run(_program(expression, tuple(sorted(variables))), variables)


def compile_check(expression: str, variables: tuple[str, ...]) -> str | None:
    """Why ``expression`` does not compile with ``variables`` declared, or ``None``."""
    try:
        _program(expression, tuple(sorted(variables)))
    except RuleError as e:
        return str(e)
    return None


_NO_KEY = re.compile(r'Key not found in map\s*:\s*"?([^"]*)"?')


def _explain(message: str) -> str:
    """The engine's error text in kube-apiserver's words where they differ."""
    m = _NO_KEY.search(message)
    return f"no such key: {m.group(1)}" if m else message


def compile_error(rule: str) -> str | None:
    """Why ``rule`` does not compile, or ``None``."""
    try:
        _program(rule)
    except RuleError as e:
        return str(e)
    return None


def _type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def evaluate_rules(schema: Mapping[str, Any], obj: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[Cause]:
    """Field errors from every rule in ``schema`` (a whole-object schema) for ``obj``."""
    causes: list[Cause] = []
    _walk(schema, obj, old if old is not None else _MISSING, "", causes)
    return causes


# Whether a schema, or any schema below it, has rules (by identity; the entry holds the schema so
# its id is not reused): a subtree without rules is not walked.
_RULES_BELOW_LIMIT = 8192
_rules_below: dict[int, tuple[Mapping[str, Any], bool]] = {}


def _has_rules(schema: Mapping[str, Any]) -> bool:
    known = _rules_below.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    props = schema.get("properties")
    children = [*(props.values() if isinstance(props, Mapping) else ()), schema.get("additionalProperties"), schema.get("items")]
    found = bool(schema.get("x-kubernetes-validations")) or any(isinstance(c, Mapping) and _has_rules(c) for c in children)
    if len(_rules_below) >= _RULES_BELOW_LIMIT:
        _rules_below.clear()
    _rules_below[id(schema)] = (schema, found)
    return found


def _walk(schema: Mapping[str, Any], value: Any, old: Any, path: str, causes: list[Cause]) -> None:
    if not _has_rules(schema):
        return
    for rule in schema.get("x-kubernetes-validations") or []:
        if isinstance(rule, Mapping):
            _check(rule, value, old, path, causes)
    if isinstance(value, dict):
        props: Mapping[str, Any] = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, child in value.items():
            sub = props.get(key)
            if sub is None and isinstance(extra, Mapping):
                sub = extra
            if isinstance(sub, Mapping) and not (path == "" and key == "metadata"):
                old_child = old.get(key, _MISSING) if isinstance(old, dict) else _MISSING
                _walk(sub, child, old_child, _join(path, key), causes)
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, Mapping):
            # Transition rules on list items apply only to map-type lists (matched by key); a plain
            # list's items have no stable identity, so they see no oldSelf.
            for i, item in enumerate(value):
                _walk(items, item, _MISSING, _join(path, i), causes)


def _check(rule: Mapping[str, Any], value: Any, old: Any, path: str, causes: list[Cause]) -> None:
    text = str(rule.get("rule") or "")
    if not text:
        return
    if _OLD_SELF.search(text) and old is _MISSING and not rule.get("optionalOldSelf"):
        return  # a transition rule: only checked on update, when the old value exists
    field_path = str(rule.get("fieldPath") or "").lstrip(".")
    where = _join(path, field_path) if field_path else path
    reason = str(rule.get("reason") or "FieldValueInvalid")
    reason = reason if reason in _REASONS else "FieldValueInvalid"
    try:
        ok = _evaluate(text, value, old)
    except RuleError as e:
        causes.append(Cause(where, "FieldValueInvalid", f'Invalid value: "{_type_name(value)}": {_explain(str(e))} evaluating rule: {text}'))
        return
    if ok is True:
        return
    message = str(rule.get("message") or f"failed rule: {text}")
    if rule.get("messageExpression"):
        try:
            rendered = _evaluate(str(rule["messageExpression"]), value, old)
            if isinstance(rendered, str) and rendered.strip():
                message = rendered
        except RuleError:
            pass
    causes.append(Cause(where, reason, f'Invalid value: "{_type_name(value)}": {message}'))
