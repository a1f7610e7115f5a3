"""ValidatingAdmissionPolicy and its bindings, enforced by the local API server as kube-apiserver does:
matching, CEL validations with their variables, validation actions, failure policy, and the exact
shape of a refusal."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.integration.conftest import ApiClient
from tests.integration.devcluster.builders import configmap, widget, widget_crd

GROUP = "/apis/admissionregistration.k8s.io/v1"
POLICIES = f"{GROUP}/validatingadmissionpolicies"
BINDINGS = f"{GROUP}/validatingadmissionpolicybindings"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
WIDGETS = "/apis/example.com/v1/namespaces/default/widgets"
CMS = "/api/v1/namespaces/default/configmaps"
TEAM = "has(object.metadata.labels) && 'team' in object.metadata.labels"


def policy(name: str, validations: list[dict[str, Any]], *, operations: tuple[str, ...] = ("CREATE", "UPDATE"),
           resources: tuple[str, ...] = ("widgets",), groups: tuple[str, ...] = ("example.com",), **spec: Any) -> dict[str, Any]:
    rule = {"apiGroups": list(groups), "apiVersions": ["*"], "operations": list(operations), "resources": list(resources)}
    constraints = {"resourceRules": [rule], **spec.pop("constraints", {})}
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": name},
        "spec": {"matchConstraints": constraints, "validations": validations, **spec},
    }


def binding(name: str, policy_name: str, actions: tuple[str, ...] = ("Deny",), **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": name},
        "spec": {"policyName": policy_name, "validationActions": list(actions), **spec},
    }


async def install(api: ApiClient, *objects: dict[str, Any]) -> None:
    for obj in objects:
        path = POLICIES if obj["kind"] == "ValidatingAdmissionPolicy" else BINDINGS
        status, body = await api.post(path, obj)
        assert status == 201, body


async def widgets_served(api: ApiClient) -> None:
    status, body = await api.post(CRDS, widget_crd())
    assert status == 201, body
    for _ in range(100):
        if (await api.get(WIDGETS))[0] == 200:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("widgets not served")


def labelled(name: str, **labels: str) -> dict[str, Any]:
    body = widget(name)
    body["metadata"]["labels"] = labels
    return body


async def test_policy_kinds_are_served_with_discovery_and_columns(api: ApiClient) -> None:
    status, group = await api.get(GROUP)
    assert status == 200
    served = {r["name"]: r for r in group["resources"]}
    assert served["validatingadmissionpolicies"]["kind"] == "ValidatingAdmissionPolicy"
    assert not served["validatingadmissionpolicies"]["namespaced"]
    assert "validatingadmissionpolicies/status" in served
    assert served["validatingadmissionpolicybindings"]["kind"] == "ValidatingAdmissionPolicyBinding"
    await install(api, policy("p", [{"expression": "true"}]), binding("b", "p"))
    _, table = await api.get(POLICIES, headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
    assert [(c["name"], c["type"]) for c in table["columnDefinitions"]] == [
        ("Name", "string"), ("Validations", "integer"), ("ParamKind", "string"), ("Age", "string"),
    ]
    assert table["rows"][0]["cells"][:3] == ["p", 1, "<unset>"]
    _, table = await api.get(BINDINGS, headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
    assert table["rows"][0]["cells"][:3] == ["b", "p", "<unset>"]


async def test_deny_answers_like_kube_apiserver(api: ApiClient) -> None:
    await widgets_served(api)
    await install(
        api,
        policy("require-team", [{"expression": TEAM, "message": "every widget needs a team label", "reason": "Forbidden"}]),
        binding("require-team-binding", "require-team"),
    )
    status, body = await api.post(WIDGETS, widget("w"))
    message = (
        "ValidatingAdmissionPolicy 'require-team' with binding 'require-team-binding' denied request: "
        "every widget needs a team label"
    )
    assert status == 403, body
    assert body == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f'widgets.example.com "w" is forbidden: {message}',
        "reason": "Forbidden",
        "details": {"name": "w", "group": "example.com", "kind": "widgets", "causes": [{"message": message}]},
        "code": 403,
    }
    status, _ = await api.post(WIDGETS, labelled("w", team="blue"))
    assert status == 201
    assert (await api.get(f"{WIDGETS}/w"))[0] == 200  # stored only when admitted


async def test_without_a_reason_a_denial_is_422_invalid_and_message_expression_wins(api: ApiClient) -> None:
    await install(
        api,
        policy("cm-keys", [{"expression": "size(object.data) <= 1", "message": "static",
                            "messageExpression": "'too many keys: ' + string(size(object.data))"}],
               resources=("configmaps",), groups=("",)),
        binding("cm-keys", "cm-keys"),
    )
    status, body = await api.post(CMS, configmap("c", {"a": "1", "b": "2"}))
    assert (status, body["reason"], body["code"]) == (422, "Invalid", 422)
    assert body["message"] == (
        'configmaps "c" is forbidden: ValidatingAdmissionPolicy \'cm-keys\' with binding \'cm-keys\' denied request: too many keys: 2'
    )
    assert "group" not in body["details"] and body["details"]["kind"] == "configmaps"


async def test_warn_adds_a_warning_header_and_audit_shows_nothing(api: ApiClient) -> None:
    await install(
        api,
        policy("small", [{"expression": "size(object.data) == 0", "message": "data is not empty"}],
               resources=("configmaps",), groups=("",)),
        binding("small-warn", "small", ("Warn",)),
        binding("small-audit", "small", ("Audit",)),
    )
    resp = await api.session.post(
        api.server.url + CMS, json=configmap("c", {"a": "1"}), headers={"Authorization": f"Bearer {api.server.token}"}
    )
    assert resp.status == 201
    assert resp.headers.getall("Warning") == [
        "299 - \"Validation failed for ValidatingAdmissionPolicy 'small' with binding 'small-warn': data is not empty\""
    ]


async def test_old_object_request_and_operations(api: ApiClient) -> None:
    await widgets_served(api)
    frozen = {"expression": "oldObject == null || object.metadata.labels == oldObject.metadata.labels", "message": "labels are frozen"}
    by_admin = {"expression": "request.userInfo.username == 'kro-dev-admin' && request.operation in ['CREATE', 'UPDATE']"}
    protect = {"expression": "!('protected' in oldObject.metadata.labels)", "message": "protected", "reason": "Forbidden"}
    await install(
        api,
        policy("widget-rules", [frozen, by_admin]),
        policy("no-delete", [protect], operations=("DELETE",)),
        binding("widget-rules", "widget-rules"),
        binding("no-delete", "no-delete"),
    )
    status, created = await api.post(WIDGETS, labelled("w", protected="yes"))
    assert status == 201, created
    created["metadata"]["labels"]["extra"] = "x"
    status, body = await api.put(f"{WIDGETS}/w", created)
    assert status == 422 and body["message"].endswith("denied request: labels are frozen")
    status, body = await api.delete(f"{WIDGETS}/w")
    assert status == 403 and body["message"] == (
        'widgets.example.com "w" is forbidden: ValidatingAdmissionPolicy \'no-delete\' with binding \'no-delete\' denied request: protected'
    )
    # A status write is the widgets/status subresource: rules on "widgets" do not match it.
    status, current = await api.get(f"{WIDGETS}/w")
    current["status"] = {"ready": True}
    assert (await api.put(f"{WIDGETS}/w/status", current))[0] == 200


async def test_selectors_namespace_object_and_binding_match_resources(api: ApiClient) -> None:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod", "labels": {"env": "prod"}}}
    assert (await api.post("/api/v1/namespaces", ns))[0] == 201
    in_prod = {"expression": "namespaceObject.metadata.labels.env == 'prod' && has(object.data.owner)", "message": "needs an owner"}
    await install(
        api,
        policy("owners", [in_prod], resources=("configmaps",), groups=("",),
               constraints={"namespaceSelector": {"matchLabels": {"env": "prod"}},
                            "objectSelector": {"matchExpressions": [{"key": "skip", "operator": "DoesNotExist"}]}}),
        binding("owners", "owners", matchResources={"resourceRules": [
            {"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["configmaps"], "resourceNames": ["guarded"]},
        ]}),
    )
    prod_cms = "/api/v1/namespaces/prod/configmaps"
    assert (await api.post(prod_cms, configmap("guarded")))[0] == 422
    assert (await api.post(prod_cms, configmap("guarded", {"owner": "me"})))[0] == 201
    assert (await api.post(prod_cms, configmap("other")))[0] == 201  # the binding names one object only
    assert (await api.post(CMS, configmap("guarded")))[0] == 201  # default is not labelled env=prod
    skipped = configmap("guarded-too", skip="yes")
    skipped["metadata"]["name"] = "guarded"
    await api.delete(f"{prod_cms}/guarded")
    assert (await api.post(prod_cms, skipped))[0] == 201  # objectSelector excludes it


async def test_failure_policy_decides_what_an_error_does(api: ApiClient) -> None:
    broken = {"expression": "object.data.missing == 'x'"}
    await install(
        api,
        policy("strict", [broken], resources=("configmaps",), groups=("",)),
        policy("lenient", [broken], resources=("configmaps",), groups=("",), failurePolicy="Ignore"),
        binding("lenient", "lenient"),
    )
    assert (await api.post(CMS, configmap("a", {"k": "v"})))[0] == 201  # Ignore: the error admits
    await install(api, binding("strict", "strict"))
    status, body = await api.post(CMS, configmap("b", {"k": "v"}))
    assert status == 422
    assert body["message"].endswith(
        "denied request: expression 'object.data.missing == 'x'' resulted in error: no such key: missing"
    )
    # a ConfigMap with `data: {}` has no `data` (Go drops the empty map): that is the error then
    status, body = await api.post(CMS, configmap("c"))
    assert status == 422 and body["message"].endswith("resulted in error: no such key: data")
    # Removing the binding stops the enforcement.
    assert (await api.delete(f"{BINDINGS}/strict"))[0] == 200
    assert (await api.post(CMS, configmap("b", {"k": "v"})))[0] == 201


async def test_policy_objects_are_validated(api: ApiClient) -> None:
    status, body = await api.post(POLICIES, policy("broken", [{"expression": "object.spec.size =="}]))
    assert status == 422 and body["details"]["causes"][0]["field"] == "spec.validations[0].expression"
    assert body["message"].startswith(
        'ValidatingAdmissionPolicy.admissionregistration.k8s.io "broken" is invalid: '
        'spec.validations[0].expression: Invalid value: "object.spec.size ==": compilation failed: ERROR: <input>:1:'
    )
    status, body = await api.post(BINDINGS, binding("both", "p", ("Deny", "Warn")))
    assert status == 422 and "must not contain both Deny and Warn" in body["message"]
    status, body = await api.post(BINDINGS, binding("none", "p", ()))
    assert status == 422 and body["details"]["causes"][0]["field"] == "spec.validationActions"


async def test_a_warned_delete_carries_the_warning(api: ApiClient) -> None:
    await api.post(CMS, configmap("old", owner="nobody"))
    await install(
        api,
        policy("keep-owned", [{"expression": "!has(oldObject.metadata.labels.owner)", "message": "deleting an owned ConfigMap"}],
               resources=("configmaps",), groups=("",), operations=("DELETE",)),
        binding("keep-owned", "keep-owned", ("Warn",)),
    )
    resp = await api.session.delete(api.server.url + f"{CMS}/old", headers={"Authorization": f"Bearer {api.server.token}"})
    assert resp.status == 200
    assert resp.headers.getall("Warning") == [
        "299 - \"Validation failed for ValidatingAdmissionPolicy 'keep-owned' with binding 'keep-owned': deleting an owned ConfigMap\""
    ]


async def test_a_policy_with_params_runs_once_for_each_param_its_binding_selects(api: ApiClient) -> None:
    await widgets_served(api)
    limits = policy("limits", [{"expression": "object.spec.replicas <= int(params.data.max)",
                                "messageExpression": "'replicas over ' + params.metadata.name"}],
                    paramKind={"apiVersion": "v1", "kind": "ConfigMap"})
    for name, most, tier in (("small", "3", "a"), ("large", "10", "b")):
        body = configmap(name, {"max": most}, tier=tier)
        status, created = await api.post(CMS, body)
        assert status == 201, created
    # by name, in the request's namespace
    await install(api, limits, binding("by-name", "limits", paramRef={"name": "small", "parameterNotFoundAction": "Deny"}))
    status, err = await api.post(WIDGETS, widget("w1", replicas=5))
    assert status == 422 and err["message"].endswith(
        "ValidatingAdmissionPolicy 'limits' with binding 'by-name' denied request: replicas over small"), err
    status, body = await api.post(WIDGETS, widget("w2", replicas=2))
    assert status == 201, body
    # by selector: once per ConfigMap selected
    status, _ = await api.delete(f"{BINDINGS}/by-name")
    assert status == 200
    await install(api, binding("by-tier", "limits", paramRef={"selector": {"matchLabels": {"tier": "b"}},
                                                               "parameterNotFoundAction": "Allow"}))
    status, body = await api.post(WIDGETS, widget("w3", replicas=5))
    assert status == 201, body  # only "large" (max 10) is selected
    status, _ = await api.delete(f"{BINDINGS}/by-tier")
    # none found: Deny refuses, as a configuration error of the binding
    await install(api, binding("missing", "limits", paramRef={"name": "nope", "parameterNotFoundAction": "Deny"}))
    status, err = await api.post(WIDGETS, widget("w4", replicas=1))
    assert status == 422 and err["message"].endswith(
        "denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction"), err


async def test_a_bindings_param_ref_is_checked_as_kube_apiserver_checks_it(api: ApiClient) -> None:
    status, err = await api.post(BINDINGS, binding("b1", "p", paramRef={"name": "x", "selector": {}}))
    assert status == 422, err
    assert [(c["field"], c["message"]) for c in err["details"]["causes"]] == [
        ("spec.paramRef.name", "Forbidden: name and selector are mutually exclusive"),
        ("spec.paramRef.selector", "Forbidden: name and selector are mutually exclusive"),
        ("spec.paramRef.parameterNotFoundAction", "Required value"),
    ]
    status, err = await api.post(BINDINGS, binding("b2", "p", paramRef={"parameterNotFoundAction": "Ignore"}))
    assert status == 422 and [(c["field"], c["message"]) for c in err["details"]["causes"]] == [
        ("spec.paramRef", "Required value: one of name or selector must be specified"),
        ("spec.paramRef.parameterNotFoundAction", 'Unsupported value: "Ignore": supported values: "Deny", "Allow"'),
    ], err
