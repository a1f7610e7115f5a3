"""End-to-end fixtures: the local API server in a background thread and the real ``kubectl``
(``threaded_devserver``, ``kubectl``; defined with the integration fixtures)."""

from tests.integration.conftest import kubectl, threaded_devserver

__all__ = ["kubectl", "threaded_devserver"]
