"""The function libraries an environment offers, and what it must know about them.

kro's base environment is the engine's ``strings``, ``encoders``, ``optional`` and ``bindings``
extensions (no ``math``: kro does not register it) plus kro's own libraries from
:mod:`kro.cel.library`. That package is imported lazily, on first use, and its absence is tolerated
so the environment works with the engine's extensions alone.

Besides its extensions, the library contributes the protobuf descriptors of its opaque values
(quantity, URL, IP, semver, condition), which a typed environment's own descriptor pool needs, the
conversion of those values to plain data, and the names of its Python-implemented functions: the
engine crashes when such a function receives an ``optional`` argument, so the environment refuses
those calls at compile time.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from cel_expr_python import cel
from cel_expr_python.ext import ext_bindings, ext_encoders, ext_optional, ext_strings
from google.protobuf import descriptor_pb2

_ENGINE_EXTENSIONS = (
    ext_strings.ExtStrings,
    ext_encoders.ExtEncoders,
    ext_optional.ExtOptional,
    ext_bindings.ExtBindings,
)


def _library() -> ModuleType | None:
    try:
        from kro.cel import library
    except ModuleNotFoundError as e:
        if e.name != "kro.cel.library":
            raise
        return None
    return library


def _call(name: str, default: Any) -> Any:
    library = _library()
    fn = getattr(library, name, None) if library is not None else None
    return fn() if callable(fn) else default


def engine_extensions() -> list[cel.CelExtensionBase]:
    """The engine's own extensions kro registers. They come before any Python-defined extension:
    the engine rejects a Python declaration of a name an engine extension declares later."""
    return [ext() for ext in _ENGINE_EXTENSIONS]


def standard_extensions() -> list[cel.CelExtensionBase]:
    """kro's base environment: the engine's extensions, then kro's libraries."""
    ours = [e for e in _call("extensions", []) if not isinstance(e, _ENGINE_EXTENSIONS)]
    return [*engine_extensions(), *ours]


def engine_config(*, evaluation: bool = False) -> cel.EnvConfig | None:
    """The configuration that turns on the engine's ``lists`` and ``two-var-comprehensions``
    extensions (``evaluation``: the evaluating environment's, without the macros)."""
    library = _library()
    make = getattr(library, "engine_config", None) if library is not None else None
    return make(evaluation=evaluation) if callable(make) else None


def new_meter() -> Any:
    """A fresh cost meter for one environment family (``None`` without kro's library)."""
    library = _library()
    make = getattr(library, "Meter", None) if library is not None else None
    return make() if callable(make) else None


def evaluation_extensions(meter: Any) -> list[cel.CelExtensionBase]:
    """The run-time functions an evaluating environment adds (``cel.@mapInsert``, the guards that
    :mod:`kro.cel.program` inserts, charging ``meter``)."""
    library = _library()
    make = getattr(library, "evaluation_extensions", None) if library is not None else None
    return list(make(meter)) if callable(make) else []


def condition_extensions() -> list[cel.CelExtensionBase]:
    """The ``runtime.*`` functions, which kro allows only in an RGD's ``status.conditions``."""
    return list(_call("status_condition_extensions", []))


def library_files() -> tuple[descriptor_pb2.FileDescriptorProto, ...]:
    """Descriptors of the library's message types, for an environment's own descriptor pool."""
    return tuple(_call("file_descriptors", ()))


def python_functions() -> frozenset[str]:
    """Names of the functions implemented in Python by the library."""
    return frozenset(_call("function_names", frozenset()))


def native(value: Any) -> Any:
    """A library message (quantity, condition...) as plain data; anything else unchanged."""
    library = _library()
    convert = getattr(library, "native_value", None) if library is not None else None
    return convert(value) if callable(convert) else value
