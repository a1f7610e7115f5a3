"""Defaults of the rbac.authorization.k8s.io group (``pkg/apis/rbac/v1/defaults.go``): a subject's
``apiGroup`` for users and groups."""

from __future__ import annotations

from kro.devcluster.defaulting.engine import Obj, StructType, each


def _subject(subject: Obj) -> None:
    if not subject.get("apiGroup") and subject.get("kind") in ("User", "Group"):
        subject["apiGroup"] = "rbac.authorization.k8s.io"


TYPES: dict[str, StructType] = {
    "Binding": StructType(children={"subjects": each("Subject")}),
    "Subject": StructType(hooks=(_subject,)),
}

KINDS: dict[str, str] = {"RoleBinding": "Binding", "ClusterRoleBinding": "Binding"}
