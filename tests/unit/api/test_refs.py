from kro.api import GVK, split_api_version


def test_core_group_has_no_prefix() -> None:
    assert split_api_version("v1") == ("", "v1")
    assert GVK.from_api_version("v1", "ConfigMap").api_version == "v1"


def test_named_group_round_trips() -> None:
    gvk = GVK.from_api_version("apps/v1", "StatefulSet")
    assert gvk == GVK("apps", "v1", "StatefulSet")
    assert gvk.api_version == "apps/v1"
