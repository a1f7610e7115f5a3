"""``kro dev --demo``'s narration: what the instance waits for, and a failure named as an error."""

from __future__ import annotations

from kro.cli.demo import _narrate_conditions, _Progress


def _status(state: str, message: str) -> dict[str, object]:
    return {
        "state": state,
        "conditions": [{"type": "ResourcesReady", "status": "False", "reason": "NotReady", "message": message}],
    }


def test_a_refused_write_is_narrated_as_an_error_and_a_wait_as_a_wait() -> None:
    lines: list[str] = []
    progress = _Progress()
    _narrate_conditions(_status("IN_PROGRESS", "waiting for config: creating ConfigMap/default/x"), progress, lines.append)
    _narrate_conditions(_status("ERROR", "local failed: applying ConfigMap/default/Bad_Name: 422 Invalid"), progress, lines.append)
    _narrate_conditions(_status("ERROR", "local failed: applying ConfigMap/default/Bad_Name: 422 Invalid"), progress, lines.append)
    assert lines == [
        "  state: IN_PROGRESS",
        "  waiting: waiting for config: creating ConfigMap/default/x",
        "  state: ERROR",
        "  error: local failed: applying ConfigMap/default/Bad_Name: 422 Invalid",
    ]
