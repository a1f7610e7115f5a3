"""Leader election settings are checked when made."""

from __future__ import annotations

import pytest

from kro.kube import LeaderElectionConfig


def test_defaults_are_kros() -> None:
    config = LeaderElectionConfig()
    assert (config.name, config.lease_duration, config.renew_deadline, config.retry_period) == (
        "controller.kro.run",
        15.0,
        10.0,
        2.0,
    )
    assert config.identity != LeaderElectionConfig().identity  # unique per process start


@pytest.mark.parametrize(
    ("duration", "deadline", "retry"),
    [(10, 10, 2), (15, 10, 10), (15, 10, 0), (5, 10, 2)],
)
def test_timings_must_nest(duration: float, deadline: float, retry: float) -> None:
    with pytest.raises(ValueError):
        LeaderElectionConfig(lease_duration=duration, renew_deadline=deadline, retry_period=retry)
