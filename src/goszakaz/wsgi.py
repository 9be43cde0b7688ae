"""WSGI entry point for a production server (gunicorn goszakaz.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goszakaz.settings")
application = get_wsgi_application()
