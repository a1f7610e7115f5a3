"""The instance's status block: every field is a ``${...}`` expression, its schema is inferred from
the expressions' output types, and ``status.conditions`` may hold ``runtime.newCondition(...)``
expressions (the only place ``runtime`` is available)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kro.cel.library import LibraryError, quote_condition_keys
from kro.graph import celenv
from kro.graph.celenv import Checked, TypedEnv
from kro.graph.document import SCHEMA_PATH, ResourceSpec
from kro.graph.expressions import (
    ResourceContext,
    compile_expression,
    compile_interpolation,
    single_expression,
)
from kro.graph.model import CompiledExpression, FieldPath, TemplateField
from kro.graph.report import Reporter
from kro.graph.template import TemplateSyntaxError, parse

STATUS_PATH: FieldPath = (*SCHEMA_PATH, "status")
CONDITIONS = "conditions"


@dataclass
class CompiledStatus:
    fields: list[TemplateField] = field(default_factory=list)
    conditions: list[CompiledExpression] = field(default_factory=list)
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})
    references: set[str] = field(default_factory=set)


def compile_status(raw: Any, env: TypedEnv, *, conditions_env: TypedEnv, report: Reporter) -> CompiledStatus:
    out = CompiledStatus()
    if raw is None:
        return out
    if not isinstance(raw, Mapping):
        report.error(STATUS_PATH, "spec.schema.status must be a map of field names to '${...}' expressions")
        return out
    ctx = ResourceContext(ResourceSpec(-1, "", None, None), None, "status", report)
    for key, value in raw.items():
        if key == CONDITIONS and isinstance(value, list):
            _compile_conditions(value, conditions_env, ctx, out)
            continue
        schema = _compile_value(value, ("status", key), env, ctx, out)
        if schema is not None:
            out.schema["properties"][key] = schema
    return out


def _compile_value(
    value: Any, rel: FieldPath, env: TypedEnv, ctx: ResourceContext, out: CompiledStatus
) -> dict[str, Any] | None:
    doc_path = (*SCHEMA_PATH, *rel)
    if isinstance(value, Mapping):
        props: dict[str, Any] = {}
        for key, sub in value.items():
            schema = _compile_value(sub, (*rel, key), env, ctx, out)
            if schema is not None:
                props[key] = schema
        return {"type": "object", "properties": props}
    if not isinstance(value, str):
        ctx.report.error(doc_path, f"status fields must be '${{...}}' expressions, got {value!r}")
        return None
    try:
        parsed = parse(value)
    except TemplateSyntaxError as e:
        ctx.report.error(doc_path, str(e), expression=value, offset=e.offset)
        return None
    if not parsed.has_expressions:
        ctx.report.error(doc_path, f"status fields must be '${{...}}' expressions, got the literal {value!r}")
        return None
    if parsed.standalone:
        seg = parsed.segments[0]
        checked = compile_expression(env, seg.text, ctx=ctx, path=doc_path, offset=seg.offset)
        if checked is None:
            return None
        _record(out, TemplateField(rel, checked.expression, True, value), checked)
        return celenv.output_schema(checked)
    whole = compile_interpolation(env, parsed, ctx=ctx, path=doc_path)
    if whole is None:
        return None
    _record(out, TemplateField(rel, whole.expression, False, value), whole)
    return {"type": "string"}


def _record(out: CompiledStatus, f: TemplateField, checked: Checked) -> None:
    out.fields.append(f)
    out.references |= checked.roots


def _compile_conditions(entries: list[Any], env: TypedEnv, ctx: ResourceContext, out: CompiledStatus) -> None:
    for i, entry in enumerate(entries):
        path = (*STATUS_PATH, CONDITIONS, i)
        if not isinstance(entry, str):
            ctx.report.error(
                path, "status.conditions entries must be '${runtime.newCondition(...)}' expressions"
            )
            continue
        text = single_expression(entry, ctx=ctx, path=path, what="a status.conditions entry")
        if text is None:
            continue
        try:
            # Upstream writes newCondition({type: 'Ready', ...}) with bare keys; plain CEL needs quotes.
            text = quote_condition_keys(text)
        except LibraryError as e:
            ctx.report.error(path, str(e), expression=text)
            continue
        checked = compile_expression(env, text, ctx=ctx, path=path)
        if checked is not None:
            out.conditions.append(checked.expression)
            out.references |= checked.roots
