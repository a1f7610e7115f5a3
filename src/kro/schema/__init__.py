"""SimpleSchema → OpenAPI v3 → CustomResourceDefinition, and the breaking-change check between two
generated CRDs. Pure: data in, data out."""
