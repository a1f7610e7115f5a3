"""REST paths the client builds."""

from __future__ import annotations

import pytest

from kro.api import GVR
from kro.kube.client import resource_path

DEPLOY = GVR("apps", "v1", "deployments")
CM = GVR("", "v1", "configmaps")


def test_core_and_group_paths() -> None:
    assert resource_path(CM) == "/api/v1/configmaps"
    assert resource_path(CM, namespace="ns") == "/api/v1/namespaces/ns/configmaps"
    assert resource_path(DEPLOY, namespace="ns", name="web") == "/apis/apps/v1/namespaces/ns/deployments/web"
    assert (
        resource_path(DEPLOY, namespace="ns", name="web", subresource="status")
        == "/apis/apps/v1/namespaces/ns/deployments/web/status"
    )
    assert resource_path(GVR("", "v1", "namespaces"), name="kube-system") == "/api/v1/namespaces/kube-system"


def test_names_are_escaped_but_colons_kept() -> None:
    roles = GVR("rbac.authorization.k8s.io", "v1", "clusterroles")
    assert resource_path(roles, name="system:aggregate-to-admin").endswith(
        "/clusterroles/system:aggregate-to-admin"
    )
    assert resource_path(CM, namespace="ns", name="a/b").endswith("/configmaps/a%2Fb")


def test_an_empty_name_is_refused() -> None:
    with pytest.raises(ValueError):
        resource_path(CM, namespace="ns", name="")
