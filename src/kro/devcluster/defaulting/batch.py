"""Defaults of the batch group (``pkg/apis/batch/v1/defaults.go``), and the selector and labels the
Job strategy generates on create (``batch.kubernetes.io/controller-uid`` and ``job-name``)."""

from __future__ import annotations

from kro.devcluster.defaulting.engine import Obj, StructType, const, one, template_meta

_MAX_INT32 = 2**31 - 1


def _job_spec(spec: Obj) -> None:
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
    if spec.get("parallelism") is None:
        spec["parallelism"] = 1
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = _MAX_INT32 if spec.get("backoffLimitPerIndex") is not None else 6
    if spec.get("completionMode") is None:
        spec["completionMode"] = "NonIndexed"
    if spec.get("suspend") is None:
        spec["suspend"] = False
    policy = spec.get("podFailurePolicy")
    if isinstance(policy, dict):
        for rule in policy.get("rules") or []:
            for pattern in (rule.get("onPodConditions") or []) if isinstance(rule, dict) else []:
                if isinstance(pattern, dict) and not pattern.get("status"):
                    pattern["status"] = "True"
    if spec.get("podReplacementPolicy") is None:
        spec["podReplacementPolicy"] = "Failed" if isinstance(policy, dict) else "TerminatingOrFailed"


def _job(job: Obj) -> None:
    meta = job.setdefault("metadata", {})
    spec = job.get("spec")
    if not isinstance(spec, dict):
        return
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if template_labels and not meta.get("labels"):
        meta["labels"] = dict(template_labels)
    if spec.get("manualSelector") is None:
        spec["manualSelector"] = False
    uid = meta.get("uid")
    if spec["manualSelector"] is not True and spec.get("selector") is None and uid:
        # The Job strategy's generated selector, and the labels it puts on the pod template.
        spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
        template = spec.setdefault("template", {})
        tmeta = template.setdefault("metadata", {})
        labels = tmeta.get("labels") if isinstance(tmeta.get("labels"), dict) else {}
        name = str(meta.get("name") or "")
        labels.update({
            "batch.kubernetes.io/controller-uid": uid,
            "batch.kubernetes.io/job-name": name,
            "controller-uid": uid,
            "job-name": name,
        })
        tmeta["labels"] = labels


TYPES: dict[str, StructType] = {
    "Job": StructType(defaults={"status": const({})}, children={"spec": one("JobSpec")}, hooks=(_job,)),
    "JobSpec": StructType(children={"template": one("PodTemplateSpec")}, hooks=(_job_spec,)),
    "CronJob": StructType(defaults={"status": const({})}, children={"spec": one("CronJobSpec")}),
    "CronJobSpec": StructType(
        defaults={
            "concurrencyPolicy": const("Allow"),
            "suspend": const(False),
            "successfulJobsHistoryLimit": const(3),
            "failedJobsHistoryLimit": const(1),
        },
        children={"jobTemplate": one("JobTemplateSpec")},
    ),
    "JobTemplateSpec": StructType(children={"spec": one("JobTemplateJobSpec")}, hooks=(template_meta,)),
    "JobTemplateJobSpec": StructType(children={"template": one("PodTemplateSpec")}),
}

KINDS: dict[str, str] = {"Job": "Job", "CronJob": "CronJob"}
