"""The kro controllers: the RGD controller, the dynamic instance controllers it starts and stops at
run time, leader election, metrics and events.

Modules: ``app`` (wiring, :func:`~kro.controller.app.run_controller`), ``manager`` (one work queue,
N workers, shared informers started and stopped at run time, child events routed to their
instance), ``rgd_controller`` (compile, CRD, register), ``crds`` (CRD ownership and breaking-change
guard), ``rgdstatus``, ``instance_controller`` (carry out the runtime's plans), ``observation`` (the
planner's view of the informer caches), ``reconcile`` (outcome → queue operations), ``finalizers``
(removing kro's finalizer without spurious conflicts), ``transitions`` (an instance's state changes
as log lines and Events), ``metrics`` (also the work queue's), ``events``, ``web`` (``/metrics``,
``/healthz``, ``/readyz``), ``ports`` and ``kubeports`` (the cluster behind small protocols,
implemented over :mod:`kro.kube`: its shared ``InformerFactory`` and ``LeaderElector``)."""
