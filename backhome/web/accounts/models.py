"""The accounts app stores nothing of its own: the account is ``django.contrib.auth``'s ``User`` (the email
is the username) and its data hang off ``Person.user``. Wrong passwords are counted by django-axes in the
shared cache, not in the database (docs/security.md)."""
