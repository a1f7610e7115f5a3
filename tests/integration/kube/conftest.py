"""Fixtures for the cluster client's integration tests: a :class:`KubeClient` on the local API server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from kro.devcluster import DevServer
from kro.kube import ClusterConfig, KubeClient


@pytest.fixture
async def client(devserver: DevServer) -> AsyncIterator[KubeClient]:
    """A client configured from the kubeconfig the server wrote, as a user's would be."""
    async with KubeClient(ClusterConfig.from_kubeconfig(str(devserver.kubeconfig_path))) as c:
        yield c
