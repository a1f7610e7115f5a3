"""Errors raised by kro's CEL library functions.

The engine turns any exception raised by a function implementation into a CEL evaluation error
whose text is the exception's message (prefixed by a status code chosen from the exception's class:
``ValueError`` becomes ``OUT_OF_RANGE``, ``TypeError`` becomes ``INVALID_ARGUMENT``).  Every
function of the library therefore reports bad input by raising one of these two classes, with a
message that starts with the function's name, so the user sees which call failed and why.
"""

from __future__ import annotations


class LibraryError(ValueError):
    """An argument had the right type but a value the function cannot accept."""


class ArgumentTypeError(TypeError):
    """An argument had a type the function does not accept (seen only through ``dyn``)."""
