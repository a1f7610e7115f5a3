"""Workload simulation for the local API server: a stand-in for kube-controller-manager, a scheduler
and a kubelet, in the spirit of kwok. Nothing runs: the objects move as if it did.

- Deployments get a ReplicaSet per pod template, numbered by ``deployment.kubernetes.io/revision`` (a
  rollback to an older template renumbers its ReplicaSet, as ``kubectl rollout undo`` expects);
  ReplicaSets get pods (:mod:`.apps`);
- StatefulSets get ordered pods ``<name>-<i>`` and their volume claims, DaemonSets one pod on the one
  simulated node ``kro-dev-node`` (:mod:`.stateful`);
- Jobs get pods that succeed, then the ``Complete`` condition (:mod:`.batch`);
- pods become Running and Ready (a Job's: Succeeded) a configurable delay after creation (:mod:`.pods`);
- HorizontalPodAutoscalers keep their target's replicas within ``minReplicas``/``maxReplicas``
  (no metrics exist, so nothing else moves them) (:mod:`.autoscaling`);
- Services get a unique cluster IP from 10.96.0.0/12 (headless stays ``None``), PersistentVolumeClaims
  are Bound (:mod:`.network`).

Status fields and conditions are filled as the real controllers fill them, and children carry
controller ownerReferences so garbage collection removes them with their owner. The decisions are
pure planners (:mod:`.plan`); :mod:`.controller` runs them inside the server, each simulated
controller with its own workers (kube-controller-manager's default counts) over :mod:`.workqueue`.

Not simulated: rolling-update pacing (a new ReplicaSet is scaled up and old ones down at once),
probes, restarts and failures, more than one node, CronJobs, Endpoints/EndpointSlices,
PersistentVolume objects, load-balancer ingress addresses, and metric-driven autoscaling.
"""

from kro.devcluster.simulation.controller import (
    SimulationSettings,
    Simulator,
    run_simulation,
    simulation_loop,
)

__all__ = ["SimulationSettings", "Simulator", "run_simulation", "simulation_loop"]
