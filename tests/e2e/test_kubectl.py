"""The real ``kubectl`` against the local API server: what a user types must just work."""

from __future__ import annotations

import json
import subprocess
import textwrap
import time

import pytest
import yaml

from tests.integration.conftest import KubectlRunner

pytestmark = pytest.mark.kubectl

CRD = textwrap.dedent(
    """\
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: gadgets.example.com
    spec:
      group: example.com
      scope: Namespaced
      names: {plural: gadgets, singular: gadget, kind: Gadget, shortNames: [gd]}
      versions:
      - name: v1
        served: true
        storage: true
        subresources: {status: {}}
        additionalPrinterColumns:
        - {name: Color, type: string, jsonPath: .spec.color}
        schema:
          openAPIV3Schema:
            type: object
            description: A gadget for testing.
            properties:
              spec:
                type: object
                properties:
                  color:
                    type: string
                    description: The colour of the gadget.
                    enum: [red, blue]
    """
)
APP = textwrap.dedent(
    """\
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      labels: {app: demo}
    data:
      mode: fast
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
          - name: web
            image: nginx:1.27
            ports: [{containerPort: 80}]
    """
)


def test_apply_get_describe_delete(kubectl: KubectlRunner) -> None:
    out = kubectl("apply", "-f", "-", input=APP).stdout
    assert "configmap/settings created" in out and "deployment.apps/web created" in out
    again = kubectl("apply", "-f", "-", input=APP).stdout
    assert "configmap/settings unchanged" in again
    got = yaml.safe_load(kubectl("get", "deployment", "web", "-o", "yaml").stdout)
    assert got["spec"]["replicas"] == 2 and got["metadata"]["generation"] == 1
    assert "kubectl.kubernetes.io/last-applied-configuration" in got["metadata"]["annotations"]
    table = kubectl("get", "configmaps").stdout
    assert table.splitlines()[0].split() == ["NAME", "DATA", "AGE"] and "settings" in table
    assert table.splitlines()[-1].split()[:2] == ["settings", "1"]
    assert "mode:" in kubectl("describe", "configmap", "settings").stdout
    labelled = json.loads(kubectl("get", "cm", "-l", "app=demo", "-o", "json").stdout)
    assert [i["metadata"]["name"] for i in labelled["items"]] == ["settings"]
    assert 'configmap "settings" deleted' in kubectl("delete", "configmap", "settings").stdout
    missing = kubectl("get", "configmap", "settings", check=False)
    assert missing.returncode != 0 and 'configmaps "settings" not found' in missing.stderr


def test_apply_edits_are_patched(kubectl: KubectlRunner) -> None:
    kubectl("apply", "-f", "-", input=APP)
    kubectl("apply", "-f", "-", input=APP.replace("replicas: 2", "replicas: 3"))
    got = json.loads(kubectl("get", "deploy", "web", "-o", "json").stdout)
    assert got["spec"]["replicas"] == 3 and got["metadata"]["generation"] == 2
    kubectl("apply", "--server-side", "-f", "-", input=APP.replace("mode: fast", "mode: slow"), check=True)
    assert "slow" in kubectl("get", "cm", "settings", "-o", "jsonpath={.data.mode}").stdout


def test_crd_wait_explain_and_custom_columns(kubectl: KubectlRunner) -> None:
    kubectl("apply", "-f", "-", input=CRD)
    kubectl("wait", "--for=condition=Established", "crd/gadgets.example.com", "--timeout=10s")
    explained = kubectl("explain", "gadget.spec.color").stdout
    assert "The colour of the gadget." in explained
    kubectl("apply", "-f", "-", input="apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1}\nspec: {color: red}\n")
    table = kubectl("get", "gd").stdout.splitlines()
    assert table[0].split() == ["NAME", "COLOR"] and table[1].split() == ["g1", "red"]  # exactly the declared columns
    bad = kubectl("apply", "-f", "-", input="apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g2}\nspec: {color: green}\n", check=False)
    assert bad.returncode != 0 and "Unsupported value" in bad.stderr
    resources = kubectl("api-resources", "--api-group=example.com").stdout
    assert "gadgets" in resources and "Gadget" in resources
    kubectl("delete", "crd", "gadgets.example.com", "--timeout=10s")
    assert kubectl("get", "gadgets", check=False).returncode != 0


def test_get_watch_streams_changes(kubectl: KubectlRunner, threaded_devserver: object) -> None:
    kubectl("create", "-f", "-", input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n")
    cmd = [*_base(kubectl), "get", "configmaps", "--watch", "--request-timeout=6s"]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        time.sleep(1.0)
        kubectl("create", "-f", "-", input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: second}\n")
        try:
            out, _ = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    names = [line.split()[0] for line in out.splitlines()[1:] if line.strip() and "kube-root-ca.crt" not in line]
    assert names[:2] == ["first", "second"], out


def test_api_resources_and_version(kubectl: KubectlRunner) -> None:
    out = kubectl("api-resources").stdout
    for name in ("deployments", "configmaps", "customresourcedefinitions", "namespaces"):
        assert name in out
    assert "Server Version: v1.32" in kubectl("version").stdout


def _base(kubectl: KubectlRunner) -> list[str]:
    proc = kubectl("config", "view", "--minify", "-o", "jsonpath={.clusters[0].name}")
    assert proc.args is not None
    args = list(proc.args)
    return args[: args.index("config")]


def test_scale_and_protected_namespace(kubectl: KubectlRunner) -> None:
    kubectl("apply", "-f", "-", input=APP)
    assert "deployment.apps/web scaled" in kubectl("scale", "deployment/web", "--replicas=5").stdout
    assert kubectl("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}").stdout == "5"
    refused = kubectl("delete", "namespace", "default", check=False)
    assert refused.returncode != 0 and "may not be deleted" in refused.stderr


POD_AND_SERVICE = textwrap.dedent(
    """\
    apiVersion: v1
    kind: Pod
    metadata: {name: box}
    spec:
      containers: [{name: main, image: busybox:1.36}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: front}
    spec:
      selector: {app: web}
      ports: [{port: 80}]
    """
)


def test_get_prints_kube_apiserver_columns(kubectl: KubectlRunner) -> None:
    kubectl("apply", "-f", "-", input=POD_AND_SERVICE + "---\n" + APP)
    pods = kubectl("get", "pods").stdout.splitlines()
    assert pods[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert pods[1].split()[:4] == ["box", "0/1", "Pending", "0"]
    wide = kubectl("get", "pods", "-o", "wide").stdout.splitlines()[0].split()
    assert wide[:7] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"]
    services = kubectl("get", "services", "front").stdout.splitlines()
    assert services[0].split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    name, kind, cluster_ip, external, ports = services[1].split()[:5]
    assert (name, kind, external, ports) == ("front", "ClusterIP", "<none>", "80/TCP")
    assert cluster_ip.startswith("10.")  # allocated by the create itself
    deploys = kubectl("get", "deployments").stdout.splitlines()
    assert deploys[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert kubectl("get", "namespaces").stdout.splitlines()[0].split() == ["NAME", "STATUS", "AGE"]


def test_field_selectors_and_paging_as_kube_apiserver(kubectl: KubectlRunner) -> None:
    kubectl("apply", "-f", "-", input=POD_AND_SERVICE + "---\n" + APP)
    assert kubectl("get", "pods", "--field-selector", "status.phase=Pending", "-o", "name").stdout.split() == ["pod/box"]
    refused = kubectl("get", "pods", "--field-selector", "spec.containers=x", check=False)
    assert refused.returncode != 0 and "field label not supported: spec.containers" in refused.stderr
    refused = kubectl("get", "configmaps", "--field-selector", "data.mode=fast", check=False)
    assert refused.returncode != 0
    assert '"data.mode" is not a known field selector: only "metadata.name", "metadata.namespace"' in refused.stderr
    pages = "---\n".join(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: page-{i}}}\n" for i in range(5))
    kubectl("apply", "-f", "-", input=pages)
    paged = kubectl("get", "configmaps", "--chunk-size=2", "-o", "name").stdout.split()
    assert [n for n in paged if n.startswith("configmap/page-")] == [f"configmap/page-{i}" for i in range(5)]
    listed = json.loads(kubectl("get", "--raw", "/api/v1/namespaces/default/configmaps?limit=2").stdout)
    assert "kind" not in listed["items"][0] and listed["metadata"]["remainingItemCount"] >= 1


POLICY = textwrap.dedent(
    """\
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicy
    metadata: {name: gadgets-need-a-team}
    spec:
      failurePolicy: Fail
      matchConstraints:
        resourceRules:
        - {apiGroups: [example.com], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [gadgets]}
      validations:
      - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
        messageExpression: "'gadget ' + object.metadata.name + ' has no team label'"
        reason: Forbidden
    ---
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicyBinding
    metadata: {name: gadgets-need-a-team}
    spec:
      policyName: gadgets-need-a-team
      validationActions: [Deny]
    """
)


def test_validating_admission_policy_denies_through_kubectl(kubectl: KubectlRunner) -> None:
    kubectl("apply", "-f", "-", input=CRD)
    kubectl("wait", "--for=condition=Established", "crd/gadgets.example.com", "--timeout=10s")
    kubectl("apply", "-f", "-", input=POLICY)
    header = kubectl("get", "validatingadmissionpolicies").stdout.splitlines()[0].split()
    assert header == ["NAME", "VALIDATIONS", "PARAMKIND", "AGE"]
    gadget = "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1%s}\nspec: {color: red}\n"
    refused = kubectl("apply", "-f", "-", input=gadget % "", check=False)
    assert refused.returncode != 0
    assert (
        'gadgets.example.com "g1" is forbidden: ValidatingAdmissionPolicy \'gadgets-need-a-team\' with binding '
        "'gadgets-need-a-team' denied request: gadget g1 has no team label"
    ) in refused.stderr
    kubectl("apply", "-f", "-", input=gadget % ", labels: {team: blue}")
    assert kubectl("get", "gadget", "g1", "-o", "jsonpath={.metadata.labels.team}").stdout == "blue"
