"""kubectl's apply flows against the local API server: server-side apply, conflicts and force,
client-side apply followed by server-side apply, and field removal."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import KubectlRunner

pytestmark = pytest.mark.kubectl


def deployment_yaml(replicas: int, *, labels: str = "") -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  labels:
    app: web
{labels}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
"""


def managed(kubectl: KubectlRunner) -> dict[tuple[str, str], dict[str, object]]:
    out = kubectl("get", "deployment", "web", "-o", "json", "--show-managed-fields").stdout
    return {(e["manager"], e["operation"]): e for e in json.loads(out)["metadata"]["managedFields"]}


def test_server_side_apply_conflict_and_force(kubectl: KubectlRunner) -> None:
    kubectl("apply", "--server-side", "-f", "-", input=deployment_yaml(2))
    entry = managed(kubectl)[("kubectl", "Apply")]
    assert "f:replicas" in entry["fieldsV1"]["f:spec"]  # type: ignore[index]
    clash = kubectl("apply", "--server-side", "--field-manager", "other", "-f", "-", input=deployment_yaml(5),
                    check=False)
    assert clash.returncode != 0
    assert 'conflict with "kubectl": .spec.replicas' in clash.stderr
    kubectl("apply", "--server-side", "--field-manager", "other", "--force-conflicts", "-f", "-",
            input=deployment_yaml(5))
    assert kubectl("get", "deployment", "web", "-o", "jsonpath={.spec.replicas}").stdout == "5"
    owners = managed(kubectl)
    assert "f:replicas" not in owners[("kubectl", "Apply")]["fieldsV1"]["f:spec"]  # type: ignore[index]


def test_client_side_then_server_side_apply(kubectl: KubectlRunner) -> None:
    kubectl("apply", "-f", "-", input=deployment_yaml(2))
    assert ("kubectl-client-side-apply", "Update") in managed(kubectl)
    kubectl("apply", "--server-side", "-f", "-", input=deployment_yaml(3))
    assert kubectl("get", "deployment", "web", "-o", "jsonpath={.spec.replicas}").stdout == "3"
    assert ("kubectl", "Apply") in managed(kubectl)


def test_label_dropped_from_the_manifest_is_removed(kubectl: KubectlRunner) -> None:
    kubectl("apply", "--server-side", "-f", "-", input=deployment_yaml(1, labels="    tier: web"))
    assert kubectl("get", "deployment", "web", "-o", "jsonpath={.metadata.labels.tier}").stdout == "web"
    kubectl("apply", "--server-side", "-f", "-", input=deployment_yaml(1))
    assert kubectl("get", "deployment", "web", "-o", "jsonpath={.metadata.labels}").stdout == '{"app":"web"}'


def test_kubectl_patch_takes_ownership_and_a_later_apply_conflicts(kubectl: KubectlRunner) -> None:
    kubectl("apply", "--server-side", "-f", "-", input=deployment_yaml(2))
    kubectl("patch", "deployment", "web", "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.28"}]}}}}')
    image = kubectl("get", "deployment", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}").stdout
    assert image == "nginx:1.28"
    assert ("kubectl-patch", "Update") in managed(kubectl)
    clash = kubectl("apply", "--server-side", "-f", "-", input=deployment_yaml(2), check=False)
    assert clash.returncode != 0
    assert 'conflict with "kubectl-patch" using apps/v1' in clash.stderr


def test_rollout_status_and_wait_succeed_on_simulated_workloads(sim_kubectl: KubectlRunner) -> None:
    sim_kubectl("apply", "--server-side", "-f", "-", input=deployment_yaml(2))
    rollout = sim_kubectl("rollout", "status", "deployment/web", "--timeout=20s")
    assert "successfully rolled out" in rollout.stdout
    sim_kubectl("wait", "--for=condition=Available", "deployment/web", "--timeout=20s")
    phases = sim_kubectl("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].status.phase}").stdout
    assert phases.split() == ["Running", "Running"]
    sim_kubectl("delete", "deployment", "web", "--cascade=foreground", "--timeout=20s")
    sim_kubectl("wait", "--for=delete", "pods", "-l", "app=web", "--timeout=20s")
