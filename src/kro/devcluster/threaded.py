"""A :class:`~kro.devcluster.server.DevServer` running on its own event loop in a background thread,
for synchronous callers (tests that drive ``kubectl``, scripts)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from kro.devcluster.server import DevServer, DevServerConfig

T = TypeVar("T")


class ThreadedDevServer:
    def __init__(self, config: DevServerConfig | None = None) -> None:
        self.server = DevServer(config)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kro-devcluster", daemon=True)

    def start(self) -> ThreadedDevServer:
        self._thread.start()
        self.run(self.server.start())
        return self

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run a coroutine on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        try:
            self.run(self.server.stop())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def token(self) -> str:
        return self.server.token

    @property
    def ca_file(self) -> Path | None:
        return self.server.ca_file

    @property
    def kubeconfig_path(self) -> Path:
        return self.server.kubeconfig_path

    def __enter__(self) -> ThreadedDevServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
