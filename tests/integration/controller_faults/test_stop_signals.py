"""``kro controller`` stops cleanly on a signal and says which by its exit status: 0 after SIGTERM
(how a kubelet or a service manager stops it), 130 after Ctrl-C (SIGINT), as a shell reports an
interrupted command. Either way it releases nothing half-done: the exit is after the graceful stop."""

from __future__ import annotations

import asyncio
import signal

import pytest

from .conftest import StartController


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
async def test_exit_status_after_a_graceful_stop(
    controller_process: StartController, sig: signal.Signals, status: int
) -> None:
    proc = await controller_process()
    proc.send_signal(sig)
    assert await asyncio.wait_for(proc.wait(), 20) == status
