"""How a long-running kro process (``kro controller``, ``kro dev``, the local API server) runs its
asyncio code: on uvloop where it is installed (libuv's loop costs markedly less CPU per request
than asyncio's own), asyncio's loop otherwise; and with the cyclic garbage collector's young
generation sized for a process that keeps many live objects.

CPython starts a young-generation collection after 700 more container objects were allocated than
freed. A server or controller that holds thousands of objects and builds a few hundred per request
crosses that mark several times per request, and each collection walks the young objects and
promotes the survivors, so older collections come often too: in the local API server under the
controller benchmark that was 12-14 % of its CPU. Nearly every object here is freed by reference
counting; the collector only reclaims reference cycles, which a larger threshold leaves alive a
little longer. Outside the layers: both entry points (``kro.cli``) and the API server benchmark use
it, and importing it imports nothing of kro.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

# Young generation: collect after 50,000 net new container objects instead of 700; the middle and
# old generations are collected after 20 and 100 collections of the one below (defaults 10, 10).
GC_THRESHOLDS = (50_000, 20, 100)


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to completion on the process's event loop, with :data:`GC_THRESHOLDS` set."""
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a pinned dependency; keep working without it
        return asyncio.run(main)
    return uvloop.run(main)
