"""Errors raised by kro's CEL library functions.

The engine turns any exception raised by a function implementation into a CEL evaluation error
whose text is the exception's message after a status code (``UNKNOWN:`` for these classes; the
engine maps only exact built-in exception classes to other codes).  Like any CEL error it is
absorbed by ``||``/``&&`` where CEL says so, and otherwise becomes the expression's result.  Every
function of the library reports bad input by raising one of these two classes, with a message
that names the function or the offending value, so the user sees which call failed and why.
"""

from __future__ import annotations


class LibraryError(ValueError):
    """An argument had the right type but a value the function cannot accept."""


class ArgumentTypeError(TypeError):
    """An argument had a type the function does not accept (seen only through ``dyn``)."""
