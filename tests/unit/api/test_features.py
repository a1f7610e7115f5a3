import pytest

from kro.api.features import (
    CEL_OMIT_FUNCTION,
    INSTANCE_CONDITION_EVENTS,
    KNOWN_GATES,
    FeatureGateError,
    parse_feature_gates,
)


def test_defaults_are_upstreams_alpha_gates_all_off() -> None:
    gates = parse_feature_gates("")
    assert sorted(KNOWN_GATES) == ["CELOmitFunction", "InstanceConditionEvents", "InstanceConditionMetrics"]
    assert not any(gates.enabled(name) for name in KNOWN_GATES)


def test_parse_overrides_and_render() -> None:
    gates = parse_feature_gates(" CELOmitFunction=true , InstanceConditionEvents=False")
    assert gates.enabled(CEL_OMIT_FUNCTION)
    assert not gates.enabled(INSTANCE_CONDITION_EVENTS)
    assert str(gates) == "CELOmitFunction=true,InstanceConditionEvents=false,InstanceConditionMetrics=false"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("Nope=true", "unknown feature gate 'Nope'"), ("CELOmitFunction", "want Name=true"), ("CELOmitFunction=yes", "want Name=true")],
)
def test_bad_values_are_errors(text: str, fragment: str) -> None:
    with pytest.raises(FeatureGateError, match=fragment):
        parse_feature_gates(text)
