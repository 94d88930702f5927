"""`reverse()` answered from a per-process cache.

Django's `reverse()` walks the URL resolver's namespaces and candidate patterns on every call:
on /my/ it was a tenth of the request (forty links). Its answer depends only on the view name,
the arguments, the current application, the URL configuration, the script prefix and (with
language-prefixed patterns) the language, so it is kept under all of them. Every `{% url %}` in
the templates goes through here (`core/templatetags/cached_url.py`, a built-in that replaces Django's
tag with the same syntax), and so do the models' `get_absolute_url` on hot pages.
"""

import datetime
import functools
import uuid

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language


# Only values whose text is fixed by their value are kept: a model instance hashes by its primary
# key, but reverses through its str(), which may change while the key stays the same.
_KEPT = (str, int, uuid.UUID, datetime.date)


@functools.lru_cache(maxsize=16384)
def _reverse(viewname, args, kwargs, current_app, urlconf, _prefix, _language) -> str:
    return reverse(viewname, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) if kwargs else None,
                   current_app=current_app)


def _kept_or_afresh(viewname, args, kwargs, current_app, urlconf, prefix, language) -> str:
    try:
        key_args = tuple(args or ())
        key_kwargs = tuple(sorted((kwargs or {}).items()))
        if not all(isinstance(v, _KEPT) for v in (*key_args, *(v for _, v in key_kwargs))):
            raise TypeError
    except TypeError:
        return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    return _reverse(viewname, key_args, key_kwargs, current_app, urlconf, prefix, language)


def cached_reverse(viewname, args=None, kwargs=None, current_app=None) -> str:
    """`reverse(viewname, args=…, kwargs=…, current_app=…)`, kept per process (see above);
    arguments that cannot be kept (not plain values) are reversed afresh."""
    return _kept_or_afresh(viewname, args, kwargs, current_app, get_urlconf() or settings.ROOT_URLCONF,
                           get_script_prefix(), get_language())


def reverser():
    """`cached_reverse` with the current URL configuration, script prefix and language read once:
    for a loop that reverses a link per row (`rev = reverser()`, then `rev(viewname, args=…)`)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    prefix, language = get_script_prefix(), get_language()

    def rev(viewname, args=None, kwargs=None) -> str:
        return _kept_or_afresh(viewname, args, kwargs, None, urlconf, prefix, language)

    return rev


def clear() -> None:
    _reverse.cache_clear()
