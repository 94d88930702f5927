import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "branchwork.settings")
application = get_wsgi_application()

from branchwork import warmup  # noqa: E402 (needs the settings loaded)
from branchwork.core import backup  # noqa: E402

# `branchwork restore` refuses while this process lives.
backup.mark_running("server")
# Dictionaries, converters, templates and catalogues are loaded now, not by the first reader.
if warmup.enabled():
    warmup.warm_up(application)
