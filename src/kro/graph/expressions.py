"""Compiling and type-checking one resource's expressions: template fields, ``forEach``,
``includeWhen`` and ``readyWhen``.

Every expression is compiled in a typed environment (``schema``, every resource id, and the
resource's own iterators); the outcome is the resource's compiled fields and its dependencies (the
resource ids its template, forEach and includeWhen read). Problems are reported, never raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kro.api.features import CEL_OMIT_FUNCTION, DEFAULT_GATES, FeatureGates
from kro.cel.errors import CELError, CompileError, UnknownIdentifierError
from kro.cel.types import DYN, CelType
from kro.graph import celenv
from kro.graph.celenv import Checked, TypedEnv
from kro.graph.document import ResourceSpec
from kro.graph.fieldschema import field_type, schema_at
from kro.graph.model import FieldPath, ForEachDimension, TemplateField
from kro.graph.report import Reporter
from kro.graph.template import ExpressionField, ParsedString, TemplateSyntaxError, parse, walk_template

_NAME_PATHS: tuple[FieldPath, ...] = (("metadata", "name"), ("metadata", "namespace"))


@dataclass
class CompiledResource:
    fields: list[TemplateField] = field(default_factory=list)
    for_each: list[ForEachDimension] = field(default_factory=list)
    include_when: list[Checked] = field(default_factory=list)
    ready_when: list[Checked] = field(default_factory=list)
    references: set[str] = field(default_factory=set)
    """Root identifiers read by the template, forEach and includeWhen (not readyWhen)."""
    iterator_types: dict[str, CelType] = field(default_factory=dict)
    failed: set[FieldPath] = field(default_factory=set)
    """Template paths whose expressions did not compile (already reported)."""


@dataclass(frozen=True)
class ResourceContext:
    spec: ResourceSpec
    schema: Mapping[str, Any] | None
    """The child kind's object schema; ``None`` when the kind is unknown (fields not checked)."""
    kind_label: str
    report: Reporter
    iterators: frozenset[str] = frozenset()
    metadata_only: bool = False
    """CustomResourceDefinition templates may compute ``metadata`` only: the API server has to be
    able to read a CRD's schema without evaluating anything."""
    features: FeatureGates = DEFAULT_GATES


def compile_expression(
    env: TypedEnv,
    source: str,
    *,
    ctx: ResourceContext,
    path: FieldPath,
    offset: int = 0,
    template_value: bool = False,
) -> Checked | None:
    """Compile ``source`` (the inside of one ``${...}``), reporting a failure at ``path``.
    ``template_value``: the expression is a template field's whole value, where ``omit()`` may be
    used (with the ``CELOmitFunction`` gate on)."""
    try:
        checked = env.check(source)
    except UnknownIdentifierError as e:
        if e.name in ctx.iterators:
            message = f"forEach iterator {e.name!r} can only be used in the template, not here"
        else:
            message = f"undefined identifier {e.name!r}: {celenv.known_names_hint(env, e.name)}"
        at = source.find(e.name)
        where = offset + 2 + at if at >= 0 else _at(offset, e)
        ctx.report.error(path, message, resource=ctx.spec.id, expression=source, offset=where)
    except CompileError as e:
        ctx.report.error(path, e.message, resource=ctx.spec.id, expression=source, offset=_at(offset, e))
    except CELError as e:
        ctx.report.error(path, e.message, resource=ctx.spec.id, expression=source, offset=offset)
    else:
        problem = _omit_problem(checked, ctx, template_value=template_value)
        if problem is None:
            return checked
        at = source.find(OMIT_FUNCTION + "(")
        where = offset + 2 + at if at >= 0 else offset
        ctx.report.error(path, problem, resource=ctx.spec.id, expression=source, offset=where)
    return None


OMIT_FUNCTION = "omit"


def _omit_problem(checked: Checked, ctx: ResourceContext, *, template_value: bool) -> str | None:
    if OMIT_FUNCTION not in checked.expression.functions:
        return None
    if not ctx.features.enabled(CEL_OMIT_FUNCTION):
        return (
            f"omit() needs the {CEL_OMIT_FUNCTION} feature gate, which is off; "
            f"start kro with --feature-gates={CEL_OMIT_FUNCTION}=true"
        )
    if not template_value:
        return "omit() may be used only as the whole value of a resource template field ('${...}' alone)"
    return None


def _at(offset: int, e: CompileError) -> int:
    # the ``${`` is 2 characters before the expression text
    return offset + 2 + e.column if e.column is not None else offset


def single_expression(source: str, *, ctx: ResourceContext, path: FieldPath, what: str) -> str | None:
    """The expression of a string that must be exactly one ``${...}`` (forEach, readyWhen,
    includeWhen entries)."""
    try:
        parsed = parse(source)
    except TemplateSyntaxError as e:
        ctx.report.error(path, str(e), resource=ctx.spec.id, expression=source, offset=e.offset)
        return None
    if not parsed.standalone:
        ctx.report.error(
            path, f"{what} must be a single '${{...}}' expression", resource=ctx.spec.id, expression=source
        )
        return None
    return parsed.to_cel()


def compile_for_each(env: TypedEnv, ctx: ResourceContext, out: CompiledResource) -> TypedEnv:
    """Compile each dimension; returns ``env`` extended with the iterators, typed by the element
    type of their lists. Iterators may not read each other: each dimension sees only ``env``."""
    extra: dict[str, CelType] = {}
    base = ctx.spec.path
    for i, (name, source) in enumerate(ctx.spec.for_each):
        path = (*base, "forEach", i, name)
        text = single_expression(source, ctx=ctx, path=path, what="a forEach value")
        if text is None:
            extra[name] = DYN
            continue
        checked = _compile_dimension(env, text, ctx=ctx, path=path, name=name)
        if checked is None:
            extra[name] = DYN
            continue
        items = celenv.list_items(checked)
        if items is None:
            ctx.report.error(
                path,
                f"forEach {name!r} must be a list, got {celenv.type_name(checked)}",
                resource=ctx.spec.id,
                expression=text,
            )
            items = DYN
        extra[name] = items
        out.for_each.append(ForEachDimension(name, checked.expression))
        out.references |= checked.roots
    out.iterator_types = extra
    return env.extend(extra) if extra else env


def _compile_dimension(
    env: TypedEnv, text: str, *, ctx: ResourceContext, path: FieldPath, name: str
) -> Checked | None:
    siblings = {n for n, _ in ctx.spec.for_each if n != name}
    try:
        return env.check(text)
    except UnknownIdentifierError as e:
        if e.name in siblings:
            ctx.report.error(
                path,
                f"forEach iterators may not reference each other ({name!r} reads {e.name!r})",
                resource=ctx.spec.id,
                expression=text,
            )
            return None
    except CELError:
        pass
    return compile_expression(env, text, ctx=ctx, path=path)


def compile_fields(
    env: TypedEnv,
    body: Mapping[str, Any],
    ctx: ResourceContext,
    out: CompiledResource,
    *,
    schemaless: bool = False,
) -> None:
    """Every ``${...}`` of the template (or externalRef), typed against the child's schema."""
    base = (*ctx.spec.path, ctx.spec.body_key)
    for found in walk_template(body):
        if not isinstance(found, ExpressionField):
            ctx.report.error(
                (*base, *found.path),
                found.message,
                resource=ctx.spec.id,
                expression=found.source,
                offset=found.offset,
            )
            continue
        if ctx.metadata_only and found.path[:1] != ("metadata",):
            ctx.report.error(
                (*base, *found.path),
                "a CustomResourceDefinition template may use expressions only under metadata",
                resource=ctx.spec.id,
                expression=found.parsed.source,
            )
            out.failed.add(found.path)
            continue
        target = None if schemaless or ctx.schema is None else schema_at(ctx.schema, found.path)
        if ctx.schema is not None and not schemaless and target is None:
            continue  # unknown field: reported by the shape check
        compiled = _compile_field(env, found, target, ctx=ctx, doc_path=(*base, *found.path))
        if compiled is None:
            out.failed.add(found.path)
        else:
            out.fields.append(compiled[0])
            out.references |= compiled[1]


def _compile_field(
    env: TypedEnv,
    found: ExpressionField,
    target: Mapping[str, Any] | None,
    *,
    ctx: ResourceContext,
    doc_path: FieldPath,
) -> tuple[TemplateField, frozenset[str]] | None:
    parsed = found.parsed
    if parsed.standalone:
        seg = parsed.segments[0]
        checked = compile_expression(
            env, seg.text, ctx=ctx, path=doc_path, offset=seg.offset, template_value=ctx.spec.template is not None
        )
        if checked is None:
            return None
        fits, why = celenv.assignable(checked, target) if target is not None else (True, "")
        if not fits and target is not None:
            detail = (
                why or f"the expression is {celenv.type_name(checked)} but the field is {field_type(target)}"
            )
            ctx.report.error(
                doc_path,
                f"type mismatch: {detail}",
                resource=ctx.spec.id,
                expression=seg.text,
                offset=seg.offset,
            )
            return None
        return TemplateField(found.path, checked.expression, True, parsed.source), checked.roots
    return _compile_interpolated(env, parsed, target, ctx=ctx, doc_path=doc_path, rel=found.path)


def _compile_interpolated(
    env: TypedEnv,
    parsed: ParsedString,
    target: Mapping[str, Any] | None,
    *,
    ctx: ResourceContext,
    doc_path: FieldPath,
    rel: FieldPath,
) -> tuple[TemplateField, frozenset[str]] | None:
    ok = True
    if target is not None and not celenv.accepts_string(target):
        ctx.report.error(
            doc_path,
            f"a string with text around '${{...}}' is a string, but the field is "
            f"{field_type(target)}; use a single '${{...}}' to set another type",
            resource=ctx.spec.id,
            expression=parsed.source,
        )
        ok = False
    whole = compile_interpolation(env, parsed, ctx=ctx, path=doc_path)
    if whole is None or not ok:
        return None
    return TemplateField(rel, whole.expression, False, parsed.source), whole.roots


def compile_interpolation(
    env: TypedEnv, parsed: ParsedString, *, ctx: ResourceContext, path: FieldPath
) -> Checked | None:
    """A string with text around its ``${...}``: each expression is checked on its own (so a
    problem is located at its ``${``) and must be a string; then the whole concatenation."""
    ok = True
    for seg in parsed.expressions:
        checked = compile_expression(env, seg.text, ctx=ctx, path=path, offset=seg.offset)
        if checked is None:
            ok = False
        elif not celenv.is_string(checked):
            ctx.report.error(
                path,
                f"an expression inside a string must be a string, got "
                f"{celenv.type_name(checked)}; convert it with string(...)",
                resource=ctx.spec.id,
                expression=seg.text,
                offset=seg.offset,
            )
            ok = False
    if not ok:
        return None
    return compile_expression(env, parsed.to_cel(), ctx=ctx, path=path)


def compile_conditions(
    env: TypedEnv, ctx: ResourceContext, key: str, *, allowed: frozenset[str] | None
) -> list[Checked]:
    """``readyWhen`` or ``includeWhen``: each a single boolean expression. ``allowed`` limits the
    identifiers it may read (``None``: anything declared)."""
    entries = ctx.spec.ready_when if key == "readyWhen" else ctx.spec.include_when
    out = []
    for i, source in enumerate(entries):
        path = (*ctx.spec.path, key, i)
        text = single_expression(source, ctx=ctx, path=path, what=f"a {key} entry")
        if text is None:
            continue
        if allowed is not None:
            roots = _names_read(env, text)
            if roots is not None and not roots <= allowed:
                others = ", ".join(repr(n) for n in sorted(roots - allowed))
                may = " or ".join(repr(a) for a in sorted(allowed))
                ctx.report.error(
                    path,
                    f"{key} may reference only {may}, not {others}",
                    resource=ctx.spec.id,
                    expression=text,
                )
                continue
        checked = compile_expression(env, text, ctx=ctx, path=path)
        if checked is None:
            continue
        if not celenv.is_bool(checked):
            ctx.report.error(
                path,
                f"{key} must be a bool, got {celenv.type_name(checked)}",
                resource=ctx.spec.id,
                expression=text,
            )
            continue
        out.append(checked)
    return out


def _names_read(env: TypedEnv, text: str) -> frozenset[str] | None:
    try:
        return env.check(text).roots
    except CELError:
        return env.names_read(text)


def check_iterators_in_name(ctx: ResourceContext, out: CompiledResource) -> None:
    """Each forEach iterator must appear in ``metadata.name`` (or ``metadata.namespace``), so that
    every item of the collection has its own identity."""
    if not ctx.spec.for_each or out.failed & set(_NAME_PATHS):
        return  # nothing to check, or the name itself is already reported
    used: set[str] = set()
    for f in out.fields:
        if f.path in _NAME_PATHS:
            used |= {r.split(".", 1)[0] for r in f.expression.references}
    for i, (name, _) in enumerate(ctx.spec.for_each):
        if name not in used:
            ctx.report.error(
                (*ctx.spec.path, "forEach", i, name),
                f"forEach iterator {name!r} must be used in metadata.name (or metadata.namespace) "
                "so that every item gets its own name",
                resource=ctx.spec.id,
            )
