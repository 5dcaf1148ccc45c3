"""The pure core of backhome: the domain model, the exercise library and the clinical rules.

Nothing under ``backhome.core`` imports Django or ``backhome.web``; ``tests/unit/test_core_is_pure.py``
enforces it.
"""
