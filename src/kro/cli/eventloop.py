"""The event loop ``kro controller`` runs on: uvloop where it is installed (libuv's loop costs the
controller markedly less CPU per request than asyncio's own), asyncio's loop otherwise. The local
API server has the same choice (:mod:`kro.devcluster.eventloop`); this copy keeps ``kro
controller`` from importing the server."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a pinned dependency; keep working without it
        return asyncio.run(main)
    return uvloop.run(main)
