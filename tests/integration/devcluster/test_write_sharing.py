"""Writes share the parts of an object that did not change with the version before, and readers
inside the server read stored objects without copying them: no later write may change what an
earlier one stored. A watch resumed from the first version replays every stored version as it was
when written, so any part changed in place afterwards shows up as a difference."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import ApiClient

DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"
APPLY = "application/apply-patch+yaml"


def _deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}, "annotations": {"a": "1"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "main", "image": "nginx:1", "env": [{"name": "A", "value": "1"}]}]}},
        },
    }


def _applied(image: str, replicas: int) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"tier": "front"}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "main", "image": image}]}}}}


async def test_no_patch_or_apply_changes_a_version_stored_before_it(api: ApiClient) -> None:
    code, created = await api.post(DEPLOYS, _deployment())
    assert code == 201, created
    answers = []
    writes: list[tuple[Any, str, dict[str, str]]] = [
        ({"metadata": {"labels": {"x": "1"}}, "spec": {"replicas": 2}}, "application/merge-patch+json", {}),
        ({"spec": {"template": {"spec": {"containers": [{"name": "main", "env": [{"name": "B", "value": "2"}]}]}}}},
         "application/strategic-merge-patch+json", {}),
        ([{"op": "replace", "path": "/metadata/annotations/a", "value": "2"}], "application/json-patch+json", {}),
        (_applied("nginx:2", 3), APPLY, {"fieldManager": "applier", "force": "true"}),
        (_applied("nginx:3", 3), APPLY, {"fieldManager": "applier"}),
        ({"metadata": {"labels": {"x": None}}}, "application/merge-patch+json", {}),
    ]
    for body, content_type, params in writes:
        code, answer = await api.patch(f"{DEPLOYS}/web", body, content_type, params=params)
        assert code == 200, answer
        answers.append(answer)
    status = {"status": {"replicas": 3, "conditions": [{"type": "Available", "status": "True"}]}}
    code, answer = await api.patch(f"{DEPLOYS}/web/status", status)
    assert code == 200, answer
    answers.append(answer)
    code, applied_status = await api.patch(
        f"{DEPLOYS}/web/status", {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                                  "status": {"replicas": 3, "readyReplicas": 3}},
        APPLY, params={"fieldManager": "status-applier", "force": "true"})
    assert code == 200, applied_status
    answers.append(applied_status)
    current = dict(applied_status)
    current["spec"] = dict(current["spec"], replicas=4)
    code, answer = await api.put(f"{DEPLOYS}/web", current)
    assert code == 200, answer
    answers.append(answer)

    replayed = await api.watch(DEPLOYS, {"resourceVersion": created["metadata"]["resourceVersion"]},
                               limit=len(answers))
    assert [e["type"] for e in replayed] == ["MODIFIED"] * len(answers)
    assert [e["object"] for e in replayed] == answers
    code, final = await api.get(f"{DEPLOYS}/web")
    assert code == 200 and final == answers[-1]
    assert final["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:3"
