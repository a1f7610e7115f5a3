"""``SelfSubjectReview`` and ``SelfSubjectAccessReview``, answered and never stored, over HTTP and
through ``kubectl auth whoami`` / ``kubectl auth can-i``."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import ApiClient, KubectlRunner

SSAR = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
SSR = "/apis/authentication.k8s.io/v1/selfsubjectreviews"


def review(**spec: object) -> dict[str, object]:
    return {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": spec}


async def test_an_access_review_is_allowed_and_keeps_its_managed_fields(api: ApiClient) -> None:
    attributes = {"group": "apps", "resource": "deployments", "verb": "create", "namespace": "dev", "bogus": "x"}
    code, body = await api.post(SSAR, review(resourceAttributes=attributes), headers={"User-Agent": "kubectl/v1.32.0 (linux/amd64)"})
    assert code == 201, body
    assert body["status"] == {"allowed": True}
    assert body["spec"] == {"resourceAttributes": {"namespace": "dev", "verb": "create", "group": "apps", "resource": "deployments"}}
    assert body["metadata"]["creationTimestamp"] is None and set(body["metadata"]) == {"creationTimestamp", "managedFields"}
    (entry,) = body["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["apiVersion"]) == ("kubectl", "Update", "authorization.k8s.io/v1")
    assert entry["fieldsV1"] == {"f:spec": {"f:resourceAttributes": {
        ".": {}, "f:group": {}, "f:namespace": {}, "f:resource": {}, "f:verb": {}}}}
    code, body = await api.post(SSAR, review(nonResourceAttributes={"path": "/healthz", "verb": "get"}))
    assert code == 201 and body["status"] == {"allowed": True}, body


async def test_an_access_review_needs_exactly_one_kind_of_attributes(api: ApiClient) -> None:
    code, err = await api.post(SSAR, review())
    assert (code, err["reason"]) == (422, "Invalid"), err
    assert err["message"] == ('SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: '
                              '"null": exactly one of nonResourceAttributes or resourceAttributes must be specified')
    both = review(resourceAttributes={"verb": "get", "resource": "pods"}, nonResourceAttributes={"path": "/x", "verb": "get"})
    code, err = await api.post(SSAR, both)
    assert code == 422 and err["details"]["causes"] == [{
        "reason": "FieldValueInvalid", "field": "spec.nonResourceAttributes",
        "message": 'Invalid value: authorization.NonResourceAttributes{Path:"/x", Verb:"get"}: cannot be specified in '
                   "combination with resourceAttributes"}], err


async def test_a_review_of_the_wrong_json_types_is_refused_as_go_decodes_it(api: ApiClient) -> None:
    code, err = await api.post(SSAR, review(resourceAttributes={"verb": 5}))
    assert (code, err["reason"]) == (400, "BadRequest"), err
    assert err["message"] == ('SelfSubjectAccessReview in version "v1" cannot be handled as a SelfSubjectAccessReview: '
                              "json: cannot unmarshal number into Go struct field ResourceAttributes.spec.resourceAttributes.verb "
                              "of type string")


async def test_reviews_are_only_created(api: ApiClient) -> None:
    code, err = await api.get(SSAR)
    assert (code, err["reason"], err["message"]) == (405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
    code, _ = await api.get(f"{SSAR}/anything")
    assert code == 404
    code, discovery = await api.get("/apis/authorization.k8s.io/v1")
    assert discovery["resources"] == [{"name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview",
                                       "namespaced": False, "kind": "SelfSubjectAccessReview", "verbs": ["create"]}]


async def test_who_am_i_is_the_one_admin(api: ApiClient) -> None:
    code, body = await api.post(SSR, {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
    assert code == 201, body
    assert body["status"] == {"userInfo": {"username": "kro-dev-admin", "groups": ["system:masters", "system:authenticated"]}}
    assert body["metadata"]["creationTimestamp"]


@pytest.mark.kubectl
def test_kubectl_auth_can_i_and_whoami(kubectl: KubectlRunner) -> None:
    assert kubectl("auth", "can-i", "create", "deployments", "-n", "kube-system").stdout.strip() == "yes"
    who = json.loads(kubectl("auth", "whoami", "-o", "json").stdout)
    assert who["status"]["userInfo"]["username"] == "kro-dev-admin"
