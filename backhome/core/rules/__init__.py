"""The clinical rules of ``docs/clinical-rules.md`` as pure functions, one module per family."""
