"""The clinical rules of ``shared/clinical-spec.md`` as pure functions, one module per family."""
