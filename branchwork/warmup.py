"""Warm-up at server start, so that no reader pays for what a process loads once.

Left to first use, a fresh server worker spent seconds on its first page and a login: the URL
configuration and every view module, the translation catalogues, the templates, the search
analyzer's dictionary (rjieba) and Traditional→Simplified converter (OpenCC), the password hasher,
the rulebook. `warm_up()` loads them all and renders the login page and the portal home in each
language through the application itself. It is called from `branchwork.wsgi` (so only by the web
server: not by tests, management commands or the task worker); with `gunicorn --preload` it runs
once in the master before the port opens and the workers inherit the result. Database
connections it opened are closed again (a connection must not cross a fork).

`BRANCHWORK_WARMUP=0` turns it off. A failure is logged and never stops the server.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import time
from pathlib import Path

logger = logging.getLogger("branchwork.warmup")

PAGES = ("/accounts/login/", "/")


def enabled() -> bool:
    return os.environ.get("BRANCHWORK_WARMUP", "1") not in ("0", "false", "no")


def _templates() -> int:
    """Compile the project's own templates into the cached loader."""
    from django.conf import settings
    from django.template import TemplateDoesNotExist, TemplateSyntaxError
    from django.template.loader import get_template

    root = Path(settings.BASE_DIR)
    count = 0
    for folder in root.rglob("templates"):
        if "tests" in folder.parts:
            continue
        for path in folder.rglob("*.html"):
            try:
                get_template(path.relative_to(folder).as_posix())
                count += 1
            except (TemplateDoesNotExist, TemplateSyntaxError, ImportError):
                continue
    return count


def _request(application, path: str, language: str) -> int:
    status = []
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "HTTP_ACCEPT_LANGUAGE": language,
        "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "SERVER_PROTOCOL": "HTTP/1.1",
    }
    body = application(environ, lambda s, headers, exc_info=None: status.append(s))
    for _chunk in body:
        pass
    if hasattr(body, "close"):
        body.close()
    return int(status[0].split()[0]) if status else 0


def warm_up(application=None, *, close_connections: bool = True) -> dict:
    """Load what the first requests would; returns what was done and how long it took."""
    from django.conf import settings
    from django.contrib.auth.hashers import check_password, make_password
    from django.db import connections
    from django.urls import get_resolver
    from django.utils import translation

    started = time.perf_counter()
    done: dict = {}
    try:
        _patterns = get_resolver().url_patterns  # imports every view module
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                translation.gettext("Log in")
        from branchwork.search.analyzer import analyze

        analyze("中華人民共和國 warm-up 学习")
        check_password("warm-up", make_password("warm-up"))
        from branchwork.rulebook.loader import get_rulebook

        get_rulebook()
        done["templates"] = _templates()
        if application is not None:
            done["pages"] = {f"{path} {language}": _request(application, path, language)
                             for path in PAGES for language in ("zh-hans", "en")}
    except Exception:  # the server must start even when a page cannot be rendered yet
        logger.exception("Warm-up incomplete")
    finally:
        if close_connections:
            connections.close_all()
    done["seconds"] = round(time.perf_counter() - started, 2)
    logger.info("Warmed up in %s s: %s", done["seconds"], done)
    return done
