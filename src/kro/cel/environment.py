"""The CEL environment kro compiles expressions in.

A :class:`CELEnvironment` holds a set of declared variables and the function libraries: the
engine's own ``strings``, ``encoders``, ``optional`` and ``bindings`` extensions (kro registers no
``math``), plus kro's libraries from :mod:`kro.cel.library`. Behind it are two engine environments
over the same declarations:

* a *typed* one, where each variable has the type its OpenAPI schema gives it (objects become
  run-time protobuf message types, :mod:`kro.cel.proto_schema`), used only to check expressions:
  a wrong field name or ``schema.spec.replicas + "x"`` fails at compile time;
* a *dynamic* one, where every variable is ``dyn``, used to run the checked expressions on plain
  dicts (a typed program would need protobuf messages as input, which costs some 50 times more to
  build). It runs the very tree the typed environment checked and expanded (macros included:
  ``sortBy``, two-variable comprehensions), with guards inserted (:mod:`kro.cel.program`).

Environments made by :meth:`CELEnvironment.extend` share their parent's message types and are
cached in the parent, so asking twice for the same extra declarations costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cel_expr_python import cel

from kro.cel import ast, catalog, checked_expr, cost, program
from kro.cel.errors import CELError, CompileError, LimitError, UnknownFunctionError, UnknownIdentifierError
from kro.cel.expression import CheckedExpression, Projection
from kro.cel.proto_schema import MessageTypes
from kro.cel.status import Issue, compile_issues, parse_status
from kro.cel.types import DYN, CelType, Kind, from_openapi

Declaration = CelType | Mapping[str, Any]
"""A variable's type: a :class:`CelType`, or an OpenAPI v3 schema (``CelType.list_of(...)`` of the
object type declares a collection)."""


class _Family:
    """What an environment shares with the environments extended from it: the run-time message
    types, so an object type from one is the same type in the others."""

    def __init__(self) -> None:
        self.types = MessageTypes(catalog.library_files())
        self.guarded = catalog.python_functions()
        self.plans: dict[int, Any] = {}  # number coercion plans of whole objects, by schema id
        self.meter = catalog.new_meter()


class CELEnvironment:
    """Declared variables plus kro's function libraries; compiles expressions against them."""

    def __init__(
        self,
        variables: Mapping[str, Declaration] | None = None,
        *,
        extensions: Sequence[cel.CelExtensionBase] | None = None,
        _family: _Family | None = None,
        _resolved: Mapping[str, CelType] | None = None,
    ) -> None:
        """``extensions`` replaces kro's standard libraries (:func:`kro.cel.catalog.standard_extensions`).

        ``_resolved``: declarations already resolved in this family (a parent's), not resolved again."""
        self._family = _family or _Family()
        self._extensions = list(catalog.standard_extensions() if extensions is None else extensions)
        self._declarations = dict(variables or {})
        types = self._family.types
        known = _resolved or {}
        self._variables: dict[str, CelType] = {
            name: known[name] if name in known else types.resolve(_as_type(decl), hint=name)
            for name, decl in self._declarations.items()
        }
        self._typed = cel.NewEnv(
            types.pool,
            config=catalog.engine_config(),
            variables={n: _engine_type(ct, types.pool_has) for n, ct in self._variables.items()},
            extensions=self._extensions,
        )
        self._dynamic = cel.NewEnv(
            config=catalog.engine_config(evaluation=True),
            variables={n: cel.Type.DYN for n in self._variables},
            extensions=[*self._extensions, *catalog.evaluation_extensions(self._family.meter)],
        )
        self._children: dict[Any, CELEnvironment] = {}
        self._compiled: dict[str, CheckedExpression] = {}

    @property
    def variables(self) -> Mapping[str, CelType]:
        """Each declared variable's type (object types named after their message type)."""
        return dict(self._variables)

    def extend(self, variables: Mapping[str, Declaration]) -> CELEnvironment:
        """This environment plus ``variables`` (which win over same-named ones): for a ``forEach``
        iterator, or ``each`` in a collection's ``readyWhen``. Cached per set of declarations."""
        key = tuple(sorted((name, _declaration_key(d)) for name, d in variables.items()))
        child = self._children.get(key)
        if child is None:
            merged = {**self._declarations, **variables}
            inherited = {n: ct for n, ct in self._variables.items() if n not in variables}
            child = CELEnvironment(
                merged, extensions=self._extensions, _family=self._family, _resolved=inherited
            )
            self._children[key] = child
        return child

    def with_condition_functions(self) -> CELEnvironment:
        """This environment plus the ``runtime.*`` condition functions, which kro allows only in
        an RGD's ``status.conditions``."""
        child = self._children.get("conditions")
        if child is None:
            extensions = [*self._extensions, *catalog.condition_extensions()]
            child = CELEnvironment(
                self._declarations, extensions=extensions, _family=self._family, _resolved=self._variables
            )
            self._children["conditions"] = child
        return child

    def compile(self, expression: str) -> CheckedExpression:
        """Parse and type-check ``expression``.

        Raises :class:`UnknownIdentifierError` / :class:`UnknownFunctionError` for a name nothing
        declares, :class:`CompileError` for any other syntax or type error, :class:`LimitError`
        when the expression nests deeper than the engine accepts."""
        cached = self._compiled.get(expression)
        if cached is not None:
            return cached
        try:
            compiled = self._typed.compile(expression)
        except RuntimeError as e:
            raise self._compile_error(expression, str(e)) from e
        checked = checked_expr.decode(compiled.serialize())
        schema_of = self._family.types.schema_of
        types = {i: ast.cel_type(tp, schema_of=schema_of) for i, tp in checked.type_map.items()}
        root = checked.expr
        output = types.get(root.id, DYN)
        self._refuse_unsafe_optionals(expression, root, types, checked.source_info.positions)
        too_costly = cost.check_estimate(root, types)
        if too_costly is not None:
            raise LimitError(too_costly, expression=expression)
        found = ast.inspect(root, variables=self._variables)
        metered = cost.needs_metering(root)
        if output.kind == Kind.OPTIONAL:
            # An optional result cannot cross into Python: evaluate it as its value or null instead.
            compiled = self._typed.compile(f"dyn({expression}).orValue(null)")
        projection = Projection.of(found.field_paths, self._variables, memo=self._family.plans)
        selection = ast.plain_selection(root)
        plain = (
            selection is not None
            and not metered
            and output.kind != Kind.OPTIONAL
            and all(plan is None for _, _, plan in projection.roots)
        )
        result = CheckedExpression(
            source=expression,
            references=found.roots,
            field_paths=found.field_paths,
            output_type=output,
            _program=self._dynamic.deserialize(program.prepare(compiled.serialize(), metered=metered)),
            _projection=projection,
            _keep_alive=(self._dynamic, self._family.types),
            _meter=self._family.meter if metered else None,
            functions=frozenset(function for _, function, _ in ast.calls(root)),
            _selection=selection if plain else None,
        )
        self._compiled[expression] = result
        return result

    def _refuse_unsafe_optionals(
        self, expression: str, root: Any, types: Mapping[int, CelType], positions: Mapping[int, int]
    ) -> None:
        """Optional values the engine cannot carry: into a Python-implemented function (the
        engine crashes the process) or out of the evaluation inside a list or map."""
        leaked = ast.leaked_optional(root, types, guarded=self._family.guarded)
        if leaked is not None:
            raise CompileError(
                "an optional value must be unwrapped (e.g. with .orValue(...)) before it reaches "
                "a library function or a dyn value",
                expression=expression,
                column=positions.get(leaked),
            )
        output = types.get(root.id, DYN)
        if output.kind != Kind.OPTIONAL and any(ast.holds_optional(p) for p in output.params):
            raise CompileError(
                f"the expression returns {output}: optional values inside a list or map cannot be "
                "turned into data; unwrap them (e.g. [?x.?y] or .orValue(...))",
                expression=expression,
            )

    def _compile_error(self, expression: str, report: str) -> CELError:
        status = parse_status(report)
        issues = compile_issues(status)
        if status.is_limit:
            reason = issues[0].message.rstrip(".")
            return LimitError(f"expression exceeds an engine limit: {reason}", expression=expression)
        unknown = self._unknown_name(expression, issues)
        if unknown is not None:
            return unknown
        first = issues[0]
        offset = _offset(expression, first)
        return CompileError(
            self._describe(expression, first, offset),
            expression=expression,
            column=offset,
            details=tuple(i.message for i in issues),
        )

    def _describe(self, expression: str, issue: Issue, offset: int | None) -> str:
        """The checker names objects by their message type, which can be shared by identical
        shapes elsewhere; say instead which selection lacks the field."""
        field = issue.undefined_field
        if field is None or offset is None:
            return issue.message
        chain = ast.selected_at(self._parse(expression), offset)
        where = ".".join(chain) if chain else "this object"
        return f"undefined field {field!r}: {where} has no such field"

    def _parse(self, expression: str) -> Any:
        return checked_expr.decode(self._typed.compile(expression, disable_check=True).serialize())

    def _unknown_name(self, expression: str, issues: list[Issue]) -> CompileError | None:
        """The first undeclared variable or function of a failed check, located in the parsed
        tree: the checker words both the same way, the tree tells a call from an identifier."""
        undeclared = [(i, _offset(expression, i)) for i in issues if i.undeclared_name]
        if not undeclared:
            return None
        try:
            parsed = self._parse(expression)
        except RuntimeError:
            return None
        nodes = ast.named_nodes(parsed, variables=self._variables)
        at = {n.offset: n for n in nodes}
        namespaces = {n.namespace_offset for n in nodes if n.is_call and n.namespace_offset is not None}
        for issue, offset in undeclared:
            node = at.get(offset) if offset is not None else None
            if node is not None and node.is_call:
                return UnknownFunctionError(node.name, expression=expression, column=offset)
            if offset in namespaces:
                continue  # the namespace of an unknown function, reported with the function
            name = node.name if node is not None else (issue.undeclared_name or "").split(".")[0]
            return UnknownIdentifierError(name, expression=expression, column=offset)
        return None


def _offset(expression: str, issue: Issue) -> int | None:
    """0-based offset in ``expression`` of a 1-based line and column."""
    if issue.line is None or issue.column is None:
        return None
    lines = expression.split("\n")
    return sum(len(line) + 1 for line in lines[: issue.line - 1]) + issue.column - 1


def _as_type(decl: Declaration) -> CelType:
    return decl if isinstance(decl, CelType) else from_openapi(decl)


def _declaration_key(decl: Declaration) -> Any:
    if isinstance(decl, CelType):
        return (decl.kind, decl.name, id(decl.schema), tuple(_declaration_key(p) for p in decl.params))
    return ("schema", id(decl))


_SIMPLE = {
    Kind.DYN: cel.Type.DYN,
    Kind.ERROR: cel.Type.DYN,
    Kind.NULL: cel.Type.NULL,
    Kind.BOOL: cel.Type.BOOL,
    Kind.INT: cel.Type.INT,
    Kind.UINT: cel.Type.UINT,
    Kind.DOUBLE: cel.Type.DOUBLE,
    Kind.STRING: cel.Type.STRING,
    Kind.BYTES: cel.Type.BYTES,
    Kind.TIMESTAMP: cel.Type.TIMESTAMP,
    Kind.DURATION: cel.Type.DURATION,
}


def _engine_type(ct: CelType, is_message: Callable[[str], bool]) -> cel.Type:
    """The engine's type for a resolved :class:`CelType`; ``is_message`` tells which opaque
    names are message types of the environment's pool (the libraries' values)."""
    simple = _SIMPLE.get(ct.kind)
    if simple is not None:
        return simple
    params = [_engine_type(p, is_message) for p in ct.params]
    if ct.kind == Kind.LIST:
        return cel.Type.List(params[0] if params else cel.Type.DYN)
    if ct.kind == Kind.MAP and len(params) == 2:
        return cel.Type.Map(params[0], params[1])
    if ct.kind == Kind.OBJECT or (ct.kind == Kind.OPAQUE and is_message(ct.name)):
        return cel.Type(ct.name)
    if ct.kind == Kind.OPTIONAL:
        return cel.Type.AbstractType("optional_type", params or [cel.Type.DYN])
    if ct.kind == Kind.TYPE:
        return cel.Type.Type(params[0] if params else cel.Type.DYN)
    if ct.kind == Kind.OPAQUE:
        return cel.Type.AbstractType(ct.name, params)
    return cel.Type.DYN
