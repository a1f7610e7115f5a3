"""Admission by policy: ``admissionregistration.k8s.io/v1`` ValidatingAdmissionPolicies and their
bindings, enforced on every write at one point of the write path
(:meth:`kro.devcluster.objects.ObjectService` calls :meth:`ValidatingPolicies.admit` after its other
admission checks, as kube-apiserver runs validating admission last)."""

from kro.devcluster.admission.attributes import Attributes
from kro.devcluster.admission.policies import BINDINGS, POLICIES, PolicyDenied, ValidatingPolicies
from kro.devcluster.admission.validation import policy_object_admission

__all__ = ["BINDINGS", "POLICIES", "Attributes", "PolicyDenied", "ValidatingPolicies", "policy_object_admission"]
