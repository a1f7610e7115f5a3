"""The event loop the local API server runs on: uvloop where it is installed (libuv's loop roughly
halves aiohttp's per-request overhead), asyncio's own loop otherwise. Both behave the same for the
server; ``kro dev`` and the API-server benchmark start through :func:`run`."""

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
