"""A person's record as a FHIR R4 Bundle (``bundle.person_bundle``), and the views that download it.

A plain package, not an app: it has no models and no templates. It reads through selectors and stores
nothing. See docs/fhir.md.
"""
