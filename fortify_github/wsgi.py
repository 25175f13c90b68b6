"""WSGI entry point for production servers (``gunicorn fortify_github.wsgi``).

The system checks run first: a production deployment missing a secret stops here with the
list of variables, instead of serving requests it cannot handle safely.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortify_github.settings")

application = get_wsgi_application()

from fortify_github.system_checks import refuse_to_start_on_errors  # noqa: E402 - after setup

refuse_to_start_on_errors("web process")
