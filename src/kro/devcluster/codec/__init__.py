"""Request and response encodings other than JSON/YAML (those are :mod:`kro.devcluster.jsoncodec`):
Kubernetes' protobuf encoding of built-in kinds (:mod:`.protobuf`) and the protobuf renderings of the
OpenAPI documents (:mod:`.openapi`)."""
