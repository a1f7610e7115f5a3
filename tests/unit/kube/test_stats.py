import pytest

from kro.kube.stats import RequestStats, resource_of


@pytest.mark.parametrize(
    ("path", "resource"),
    [
        ("/api/v1/namespaces/default/configmaps/x", "configmaps"),
        ("/api/v1/configmaps", "configmaps"),
        ("/api/v1/namespaces/default", "namespaces"),
        ("/api/v1/namespaces", "namespaces"),
        ("/apis/apps/v1/namespaces/ns/statefulsets/x/status", "statefulsets.apps/status"),
        ("/apis/kro.run/v1alpha1/namespaces/ns/redis/c1/status", "redis.kro.run/status"),
        ("/apis/kro.run/v1alpha1/resourcegraphdefinitions/redis", "resourcegraphdefinitions.kro.run"),
        ("/version", ""),
        ("/apis/apps/v1", ""),
    ],
)
def test_requests_are_counted_by_resource(path: str, resource: str) -> None:
    assert resource_of(path) == resource


def test_record_counts_by_verb_and_by_resource() -> None:
    stats = RequestStats()
    stats.record("apply", "configmaps")
    stats.record("apply", "services")
    stats.record("patch", "redis.kro.run/status")
    assert stats.by_verb == {"apply": 2, "patch": 1}
    assert stats.by_resource[("apply", "services")] == 1
    assert stats.writes == 3
