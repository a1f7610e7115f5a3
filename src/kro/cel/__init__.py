"""CEL for kro: the environment (kro's libraries on top of cel-expr-python), typed compilation against
OpenAPI schemas, reference extraction from the checked AST, and evaluation on plain dicts.

Public API::

    env = CELEnvironment({"schema": instance_schema,                 # an OpenAPI v3 schema
                          "statefulset": sts_schema,
                          "pods": CelType.list_of(from_openapi(pod_schema)),   # a collection
                          "anything": DYN})                          # untyped
    expr = env.compile("statefulset.status.readyReplicas >= 1")      # once; cached per text
    expr.references    # frozenset({"statefulset"})
    expr.field_paths   # frozenset({("statefulset", "status", "readyReplicas")})
    expr.output_type   # CelType(Kind.BOOL); .to_openapi() == {"type": "boolean"}
    expr.evaluate({"statefulset": {...plain dict...}})   # True

    env.extend({"region": expr.output_type.element})   # e.g. a forEach iterator; cached
    env.with_condition_functions()                     # + runtime.* for status.conditions

    ok, why = is_assignable(expr.output_type, field_schema, field="spec.replicas")

``CELEnvironment(..., extensions=engine_extensions())`` gives the engine's extensions without kro's
libraries; the default is :func:`standard_extensions` (both). :class:`CheckedExpression` satisfies
:class:`kro.graph.model.CompiledExpression`.

Errors (:mod:`kro.cel.errors`): :class:`CompileError` (with :class:`UnknownIdentifierError` and
:class:`UnknownFunctionError`), :class:`EvaluationError` (``pending`` when the data is not there
yet), :class:`LimitError`; all are :class:`CELError`. ``omit()`` evaluates to :data:`OMIT`.
"""

from kro.cel.catalog import engine_extensions, standard_extensions
from kro.cel.compat import is_assignable
from kro.cel.environment import CELEnvironment, Declaration
from kro.cel.errors import (
    CELError,
    CompileError,
    EvaluationError,
    LimitError,
    UnknownFunctionError,
    UnknownIdentifierError,
)
from kro.cel.expression import CheckedExpression
from kro.cel.library.omit import OMIT, Omitted
from kro.cel.types import (
    BOOL,
    BYTES,
    DOUBLE,
    DURATION,
    DYN,
    DYN_MAP,
    INT,
    NULL,
    STRING,
    TIMESTAMP,
    UINT,
    CelType,
    Kind,
    from_openapi,
)

__all__ = [
    "BOOL",
    "BYTES",
    "DOUBLE",
    "DURATION",
    "DYN",
    "DYN_MAP",
    "INT",
    "NULL",
    "OMIT",
    "STRING",
    "TIMESTAMP",
    "UINT",
    "CELEnvironment",
    "CELError",
    "CelType",
    "CheckedExpression",
    "CompileError",
    "Declaration",
    "EvaluationError",
    "Kind",
    "LimitError",
    "Omitted",
    "UnknownFunctionError",
    "UnknownIdentifierError",
    "engine_extensions",
    "from_openapi",
    "is_assignable",
    "standard_extensions",
]
