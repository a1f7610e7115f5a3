"""The real ``kubectl`` meets kube-apiserver's object semantics on the local API server."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.integration.conftest import KubectlRunner

pytestmark = pytest.mark.kubectl


def test_rbac_names_with_colons_and_delete_output(kubectl: KubectlRunner) -> None:
    role = textwrap.dedent(
        """\
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: "kro:controller:demo"}
        rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
        """
    )
    out = kubectl("apply", "-f", "-", input=role)
    assert out.stdout.strip() == "clusterrole.rbac.authorization.k8s.io/kro:controller:demo created"
    got = json.loads(kubectl("get", "clusterrole", "kro:controller:demo", "-o", "json").stdout)
    assert "generation" not in got["metadata"]
    out = kubectl("delete", "clusterrole", "kro:controller:demo")
    assert out.stdout.strip() == 'clusterrole.rbac.authorization.k8s.io "kro:controller:demo" deleted'


def test_unknown_fields_are_refused_by_kubectl_strict_default(kubectl: KubectlRunner) -> None:
    cm = textwrap.dedent(
        """\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: strict}
        data: {a: b}
        bogus: 1
        """
    )
    out = kubectl("create", "-f", "-", input=cm, check=False)
    assert out.returncode != 0
    assert 'strict decoding error: unknown field "bogus"' in out.stderr
    out = kubectl("create", "--validate=warn", "-f", "-", input=cm)
    assert 'unknown field "bogus"' in out.stderr
    assert out.stdout.strip() == "configmap/strict created"


def test_namespace_label_and_terminating_delete(kubectl: KubectlRunner) -> None:
    kubectl("apply", "-f", "-", input="apiVersion: v1\nkind: Namespace\nmetadata: {name: labelled}\n")
    labels = json.loads(kubectl("get", "namespace", "labelled", "-o", "jsonpath={.metadata.labels}").stdout)
    assert labels == {"kubernetes.io/metadata.name": "labelled"}
    assert kubectl("get", "namespaces", "-l", "kubernetes.io/metadata.name=labelled", "-o", "name").stdout.strip() == "namespace/labelled"
    out = kubectl("delete", "namespace", "labelled", "--wait=false")
    assert out.stdout.strip() == 'namespace "labelled" deleted'


def test_kubectl_events_reads_events_written_through_the_core_api(kubectl: KubectlRunner) -> None:
    event = textwrap.dedent(
        """\
        apiVersion: v1
        kind: Event
        metadata: {name: web.1, namespace: default}
        involvedObject: {apiVersion: apps/v1, kind: Deployment, name: web, namespace: default}
        reason: ScalingReplicaSet
        message: Scaled up replica set web-abc to 3
        type: Normal
        source: {component: deployment-controller}
        firstTimestamp: "2026-01-01T00:00:00Z"
        lastTimestamp: "2026-01-01T00:00:00Z"
        count: 1
        """
    )
    kubectl("create", "-f", "-", input=event)
    out = kubectl("events", "-o", "json").stdout
    listed = json.loads(out)
    assert [e["metadata"]["name"] for e in listed["items"]].count("web.1") == 1
    got = json.loads(kubectl("get", "events.v1.events.k8s.io", "web.1", "-o", "json").stdout)
    assert got["note"] == "Scaled up replica set web-abc to 3" and got["regarding"]["name"] == "web"
    assert got["deprecatedSource"] == {"component": "deployment-controller"}


def test_removing_the_only_label_leaves_no_labels_key(kubectl: KubectlRunner) -> None:
    crd = textwrap.dedent(
        """\
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: gadgets.example.com}
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: gadgets, singular: gadget, kind: Gadget}
          versions:
          - name: v1
            served: true
            storage: true
            schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
        """
    )
    kubectl("apply", "-f", "-", input=crd)
    kubectl("wait", "--for=condition=Established", "crd/gadgets.example.com", "--timeout=10s")
    kubectl("create", "configmap", "x")
    kubectl("create", "-f", "-", input="apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: x}\n")
    for resource in ("cm/x", "gadget/x"):
        kubectl("label", resource, "app=demo")
        kubectl("annotate", resource, "note=kept-briefly")
        assert kubectl("label", resource, "app-").stdout.strip().endswith("unlabeled")
        kubectl("annotate", resource, "note-")
        meta = json.loads(kubectl("get", resource, "-o", "json").stdout)["metadata"]
        assert "labels" not in meta, meta
        assert "annotations" not in meta, meta
