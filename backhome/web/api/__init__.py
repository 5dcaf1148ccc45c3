"""The JSON API under ``/api/v1/`` (django-ninja) and personal access tokens (docs/api.md)."""
