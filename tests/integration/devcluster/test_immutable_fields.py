"""Updates a real cluster refuses are refused here too (422, kube-apiserver's causes): selectors,
a StatefulSet's spec beyond its mutable fields, a Job's template, a pod's spec beyond images and the
like, the data of an immutable ConfigMap or Secret, a Secret's type. Over HTTP."""

from __future__ import annotations

import copy
from typing import Any

from tests.integration.conftest import ApiClient
from tests.integration.devcluster.builders import deployment

NS = "/namespaces/default"
DEPLOYS = f"/apis/apps/v1{NS}/deployments"
STSS = f"/apis/apps/v1{NS}/statefulsets"
JOBS = f"/apis/batch/v1{NS}/jobs"
PODS = f"/api/v1{NS}/pods"
CMS = f"/api/v1{NS}/configmaps"
SECRETS = f"/api/v1{NS}/secrets"


def _causes(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c["field"], c["reason"], c["message"]) for c in body["details"]["causes"]]


async def test_a_selector_may_not_change(api: ApiClient) -> None:
    status, created = await api.post(DEPLOYS, deployment("web"))
    assert status == 201, created
    changed = copy.deepcopy(created)
    changed["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    changed["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    status, err = await api.put(f"{DEPLOYS}/web", changed)
    selector = 'v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}'
    assert status == 422 and _causes(err) == [("spec.selector", "FieldValueInvalid", f"Invalid value: {selector}: field is immutable")], err
    assert err["message"] == f'Deployment.apps "web" is invalid: spec.selector: Invalid value: {selector}: field is immutable'
    # server-side apply is refused the same way
    apply = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
             "spec": {"selector": {"matchLabels": {"app": "other"}},
                      "template": {"metadata": {"labels": {"app": "other"}},
                                   "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}}
    status, err = await api.patch(f"{DEPLOYS}/web", apply, content_type="application/apply-patch+yaml",
                                  params={"fieldManager": "test", "force": "true"})
    assert status == 422 and err["details"]["causes"][0]["field"] == "spec.selector", err
    # what may change still does
    changed = copy.deepcopy(created)
    changed["spec"]["replicas"] = 3
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27"
    status, body = await api.put(f"{DEPLOYS}/web", changed)
    assert status == 200 and body["spec"]["replicas"] == 3, body


async def test_a_statefulset_spec_changes_only_where_kube_apiserver_allows(api: ApiClient) -> None:
    sts = deployment("db")
    sts["kind"], sts["spec"]["serviceName"] = "StatefulSet", "db"
    status, created = await api.post(STSS, sts)
    assert status == 201, created
    changed = copy.deepcopy(created)
    changed["spec"]["serviceName"] = "other"
    status, err = await api.put(f"{STSS}/db", changed)
    assert status == 422 and _causes(err) == [(
        "spec", "FieldValueForbidden",
        "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
        "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    )], err
    changed = copy.deepcopy(created)
    changed["spec"].update(replicas=2, minReadySeconds=5)
    changed["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "A", "value": "1"}]
    status, body = await api.put(f"{STSS}/db", changed)
    assert status == 200 and body["spec"]["minReadySeconds"] == 5, body


async def test_a_jobs_template_and_a_pods_spec_are_fixed_once_created(api: ApiClient) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
           "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}
    status, created = await api.post(JOBS, job)
    assert status == 201, created
    changed = copy.deepcopy(created)
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = "busybox:1.36"
    status, err = await api.put(f"{JOBS}/once", changed)
    assert status == 422 and [c[:2] for c in _causes(err)] == [("spec.template", "FieldValueInvalid")], err

    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    status, created = await api.post(PODS, pod)
    assert status == 201, created
    changed = copy.deepcopy(created)
    changed["spec"]["containers"][0]["image"] = "nginx:1.27"  # an image may change
    changed["metadata"]["labels"] = {"tier": "web"}
    status, updated = await api.put(f"{PODS}/p", changed)
    assert status == 200 and updated["spec"]["containers"][0]["image"] == "nginx:1.27", updated
    changed = copy.deepcopy(updated)
    changed["spec"]["containers"][0]["env"] = [{"name": "A", "value": "1"}]
    status, err = await api.put(f"{PODS}/p", changed)
    assert status == 422 and [c[:2] for c in _causes(err)] == [("spec", "FieldValueForbidden")], err
    assert _causes(err)[0][2].startswith("Forbidden: pod updates may not change fields other than `spec.containers[*].image`")
    assert "spec.containers" in _causes(err)[0][2]


async def test_an_immutable_configmap_or_secret_keeps_its_data(api: ApiClient) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "frozen"}, "data": {"a": "1"}, "immutable": True}
    status, created = await api.post(CMS, cm)
    assert status == 201, created
    changed = copy.deepcopy(created)
    changed["data"] = {"a": "2"}
    changed["immutable"] = False
    status, err = await api.put(f"{CMS}/frozen", changed)
    why = "Forbidden: field is immutable when `immutable` is set"
    assert status == 422 and _causes(err) == [("immutable", "FieldValueForbidden", why), ("data", "FieldValueForbidden", why)], err
    changed = copy.deepcopy(created)
    changed["metadata"]["labels"] = {"a": "b"}
    status, body = await api.put(f"{CMS}/frozen", changed)
    assert status == 200, body

    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"k": "v"}}
    status, created = await api.post(SECRETS, secret)
    assert status == 201, created
    changed = copy.deepcopy(created)
    changed["type"] = "kubernetes.io/basic-auth"
    status, err = await api.put(f"{SECRETS}/s", changed)
    assert status == 422 and _causes(err)[0] == ("type", "FieldValueInvalid", 'Invalid value: "kubernetes.io/basic-auth": field is immutable'), err


async def test_a_claims_spec_is_fixed_but_for_its_binding_and_a_bound_claims_request(api: ApiClient) -> None:
    claims = f"/api/v1{NS}/persistentvolumeclaims"
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}
    status, created = await api.post(claims, claim)
    assert status == 201, created
    grown = copy.deepcopy(created)
    grown["spec"]["resources"]["requests"]["storage"] = "2Gi"
    status, err = await api.put(f"{claims}/data", grown)  # not bound yet
    assert status == 422 and [c[:2] for c in _causes(err)] == [("spec", "FieldValueForbidden")], err
    assert _causes(err)[0][2].startswith("Forbidden: spec is immutable after creation except resources.requests")
    bound = copy.deepcopy(created)
    bound["spec"]["volumeName"] = "pv-1"  # a binder sets it once
    status, bound = await api.put(f"{claims}/data", bound)
    assert status == 200, bound
    status, bound = await api.put(f"{claims}/data/status", {**bound, "status": {"phase": "Bound"}})
    assert status == 200, bound
    grown = copy.deepcopy(bound)
    grown["spec"]["resources"]["requests"]["storage"] = "2Gi"
    status, body = await api.put(f"{claims}/data", grown)
    assert status == 200 and body["spec"]["resources"]["requests"]["storage"] == "2Gi", body
    moved = copy.deepcopy(body)
    moved["spec"]["volumeName"] = "pv-2"
    status, err = await api.put(f"{claims}/data", moved)
    assert status == 422 and "spec.volumeName" in _causes(err)[0][2], err
