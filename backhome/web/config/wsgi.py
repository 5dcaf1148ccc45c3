"""The WSGI application that gunicorn serves (``backhome serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backhome.web.config.settings")

application = get_wsgi_application()
