"""CEL for kro: the environment (kro's libraries on top of cel-expr-python), typed compilation against
OpenAPI schemas, reference extraction from the checked AST, and evaluation on plain dicts."""
