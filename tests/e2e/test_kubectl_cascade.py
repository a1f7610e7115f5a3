"""``kubectl delete --cascade=background|orphan|foreground`` against the local API server's
garbage collector, with ownerReferences set the way controllers set them."""

from __future__ import annotations

import json
import time

import pytest

from tests.integration.conftest import KubectlRunner


def _owner_and_dependent(kubectl: KubectlRunner) -> None:
    kubectl("apply", "-f", "-", input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owner}\ndata: {a: b}\n")
    uid = kubectl("get", "cm", "owner", "-o", "jsonpath={.metadata.uid}").stdout
    dependent = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "dependent",
            "ownerReferences": [
                {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid, "blockOwnerDeletion": True}
            ],
        },
    }
    kubectl("apply", "-f", "-", input=json.dumps(dependent))


def _wait_gone(kubectl: KubectlRunner, name: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if kubectl("get", "cm", name, check=False).returncode != 0:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.kubectl
def test_background_cascade_deletes_dependents(kubectl: KubectlRunner) -> None:
    _owner_and_dependent(kubectl)
    kubectl("delete", "cm", "owner", "--cascade=background")
    assert _wait_gone(kubectl, "dependent")


@pytest.mark.kubectl
def test_orphan_cascade_keeps_dependents_and_strips_the_reference(kubectl: KubectlRunner) -> None:
    _owner_and_dependent(kubectl)
    kubectl("delete", "cm", "owner", "--cascade=orphan")
    assert _wait_gone(kubectl, "owner")
    time.sleep(0.5)  # give the garbage collector the chance to (wrongly) delete it
    got = json.loads(kubectl("get", "cm", "dependent", "-o", "json").stdout)
    assert not got["metadata"].get("ownerReferences")


@pytest.mark.kubectl
def test_foreground_cascade_deletes_dependents_before_the_owner(kubectl: KubectlRunner) -> None:
    _owner_and_dependent(kubectl)
    kubectl("delete", "cm", "owner", "--cascade=foreground", "--timeout=20s")
    assert kubectl("get", "cm", "dependent", check=False).returncode != 0
    assert kubectl("get", "cm", "owner", check=False).returncode != 0
