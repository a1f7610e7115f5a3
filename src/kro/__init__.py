"""kro for Python: the Kube Resource Orchestrator.

A ResourceGraphDefinition (RGD) declares a new Kubernetes API (a typed schema) and the resources each
instance of it needs, wired together with ``${...}`` CEL expressions. kro turns the schema into a CRD,
infers the dependency graph from the expressions, and runs a controller that keeps every instance's
children in place.

Layers (enforced by import-linter, see ``pyproject.toml``)::

    cli ─► controller ─► kube | devcluster ─► runtime ─► graph ─► cel ─► schema ─► openapi ─► api

``api``, ``openapi``, ``schema``, ``cel``, ``graph`` and ``runtime`` are the pure core: no sockets, no
clock, no globals. ``kube`` is the only package that talks to an API server; ``devcluster`` *is* one.
"""

__version__ = "0.1.0"
