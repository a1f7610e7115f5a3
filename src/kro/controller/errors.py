"""Errors the controllers raise to have a key retried with backoff::

ControllerError
└── ApplyFailed     the API server refused some of an instance's children (status says which)
"""

from __future__ import annotations

from collections.abc import Mapping


class ControllerError(Exception):
    """Base of the controllers' own errors: expected, logged without a traceback."""


class ApplyFailed(ControllerError):
    def __init__(self, failures: Mapping[str, str]) -> None:
        self.failures = dict(failures)
        super().__init__("; ".join(f"{node}: {message}" for node, message in sorted(self.failures.items())))
