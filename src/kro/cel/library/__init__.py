"""kro's CEL function libraries for cel-expr-python, behind one entry point: :func:`extensions`.

What an environment built with ``cel.NewEnv(extensions=extensions(), ...)`` offers:

- the engine's own extensions that kro's base environment includes: strings (``ext.Strings``),
  encoders (``base64``), optional types (``optional.*``, ``?.``, ``[?]``, ``orValue``) and bindings
  (``cel.bind``);
- the engine's ``lists`` (cel-go ``ext.Lists``: ``lists.range``, ``slice``, ``flatten``, ``sort``,
  ``sortBy``, ``distinct``, ``reverse``, ``first``, ``last``) and ``two-var-comprehensions``
  (``all(k, v, ...)``, ``transformList``, ``transformMap``...) extensions, which the Python binding
  enables only through an environment configuration: pass :func:`engine_config` as
  ``cel.NewEnv(config=...)``, and add :func:`evaluation_extensions` to an environment that
  *evaluates* (not one that only type-checks) checked expressions containing ``transformMap``;
- lists (kro's index mutations, the Kubernetes list library), sets, regex,
  URLs, quantities, IP addresses and CIDRs, semantic versions (the Kubernetes libraries);
- kro's own functions: ``random.*``, ``json.*``, ``hash.*``, ``merge`` and ``deepMerge``, and
  ``omit()`` (its value reads as :data:`OMIT`; where it may be used is the compiler's business).

:func:`status_condition_extensions` adds the ``runtime.*`` functions, which kro allows only in an
RGD's ``status.conditions``; run those expressions through :func:`quote_condition_keys` first so
that upstream's bare keys (``runtime.newCondition({type: 'X', status: 'True'})``) work.

Opaque values (quantity, URL, IP, CIDR, semver, condition) are protobuf messages declared in
:mod:`kro.cel.library.messages`; use :func:`native_value` to turn one into plain data, and call
:func:`register_types` on any custom descriptor pool given to ``cel.NewEnv`` (the default pool
already has them).

Engine limits that callers must respect (cel-expr-python 0.1.3): an ``optional`` value passed to
any function of this library, directly or as a map value, crashes the process (a segmentation
fault inside the engine's argument conversion), so the environment must reject, at compile time,
calls to these functions (:func:`function_names`) whose argument type contains ``optional_type``
anywhere (``optional_type(int)``, ``map(string, optional_type(int))``, ...).  Timestamps and
durations can be read by library functions but not returned inside ``dyn`` or ``list(dyn)``
results, and uints come back as ints.
"""

from __future__ import annotations

from cel_expr_python import cel
from cel_expr_python.ext import ext_bindings, ext_encoders, ext_optional, ext_strings

from kro.cel.library import (
    comparison,
    comprehensions,
    conditions,
    encoding,
    guards,
    hashing,
    lists,
    maps,
    network,
    omit,
    quantity,
    regex,
    seeded,
    semver,
    sets,
    urls,
)
from kro.cel.library.condition_keys import quote_condition_keys
from kro.cel.library.declarations import extension
from kro.cel.library.errors import ArgumentTypeError, LibraryError
from kro.cel.library.guards import MAX_RANGE, BudgetExceeded, Meter
from kro.cel.library.messages import file_descriptors, native_value, register_types
from kro.cel.library.omit import OMIT, Omitted

__all__ = [
    "MAX_RANGE",
    "OMIT",
    "ArgumentTypeError",
    "BudgetExceeded",
    "LibraryError",
    "Meter",
    "Omitted",
    "engine_config",
    "evaluation_extensions",
    "extensions",
    "file_descriptors",
    "function_names",
    "native_value",
    "quote_condition_keys",
    "register_types",
    "status_condition_extensions",
]

_LIBRARIES = {
    "kro.lists": lists,
    "kro.sets": sets,
    "kro.regex": regex,
    "kro.urls": urls,
    "kro.quantity": quantity,
    "kro.network": network,
    "kro.semver": semver,
    "kro.comparison": comparison,
    "kro.random": seeded,
    "kro.json": encoding,
    "kro.hash": hashing,
    "kro.maps": maps,
    "kro.omit": omit,
}


def _engine_extensions() -> list[cel.CelExtensionBase]:
    # The engine's extensions must come before Python ones: a Python extension declaring a
    # function name that a later engine extension also declares (``indexOf``) is rejected.
    return [
        ext_strings.ExtStrings(),
        ext_encoders.ExtEncoders(),
        ext_optional.ExtOptional(),
        ext_bindings.ExtBindings(),
    ]


def extensions() -> list[cel.CelExtensionBase]:
    """Every library of kro's base CEL environment, the engine's extensions first."""
    ours: list[cel.CelExtensionBase] = [
        extension(name, module.declarations()) for name, module in _LIBRARIES.items()
    ]
    return _engine_extensions() + ours


CHECKING_CONFIG = """\
extensions:
  - name: "lists"
  - name: "two-var-comprehensions"
"""
EVALUATION_CONFIG = """\
extensions:
  - name: "lists"
"""


def engine_config(*, evaluation: bool = False) -> cel.EnvConfig:
    """The engine's own extensions that only a configuration turns on (see the module doc). An
    environment that only evaluates checked expressions (``evaluation``) needs no macros, and
    leaves out ``two-var-comprehensions``, whose declarations would clash with
    :func:`evaluation_extensions`."""
    return cel.NewEnvConfigFromYaml(EVALUATION_CONFIG if evaluation else CHECKING_CONFIG)


def evaluation_extensions(meter: guards.Meter | None = None) -> list[cel.CelExtensionBase]:
    """What an evaluating environment adds: the run-time functions the engine's configured
    extensions expand into but do not implement (``cel.@mapInsert``), and the guards
    :mod:`kro.cel.program` inserts (charging ``meter``)."""
    meter = meter if meter is not None else guards.Meter(budget=2**62)
    return [
        extension("kro.comprehensions", comprehensions.declarations()),
        extension("kro.guards", guards.declarations(meter)),
    ]


def status_condition_extensions() -> list[cel.CelExtensionBase]:
    """The ``runtime.*`` functions, to add to :func:`extensions` for ``status.conditions`` only."""
    return [extension("kro.runtime", conditions.declarations())]


def function_names() -> frozenset[str]:
    """Names of all functions implemented in Python by this package (runtime ones included)."""
    modules = [*_LIBRARIES.values(), conditions, comprehensions]
    return frozenset(f.name for module in modules for f in module.declarations())
