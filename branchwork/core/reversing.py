"""`reverse()` answered from a per-process cache.

Django's `reverse()` walks the URL resolver's namespaces and candidate patterns on every call:
on /my/ it was a tenth of the request (forty links). Its answer depends only on the view name,
the arguments, the current application, the URL configuration, the script prefix and (with
language-prefixed patterns) the language, so it is kept under all of them. Every `{% url %}` in
the templates goes through here (`core/templatetags/cached_url.py`, a built-in that replaces Django's
tag with the same syntax), and so do the models' `get_absolute_url` on hot pages.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language


@functools.lru_cache(maxsize=16384)
def _reverse(viewname, args, kwargs, current_app, urlconf, _prefix, _language) -> str:
    return reverse(viewname, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) if kwargs else None,
                   current_app=current_app)


def cached_reverse(viewname, args=None, kwargs=None, current_app=None) -> str:
    """`reverse(viewname, args=…, kwargs=…, current_app=…)`, kept per process (see above);
    arguments that cannot be kept (unhashable) are reversed afresh."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    try:
        key_args = tuple(args or ())
        key_kwargs = tuple(sorted((kwargs or {}).items()))
        hash((viewname, key_args, key_kwargs, current_app))
    except TypeError:
        return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    return _reverse(viewname, key_args, key_kwargs, current_app, urlconf, get_script_prefix(), get_language())


def clear() -> None:
    _reverse.cache_clear()
