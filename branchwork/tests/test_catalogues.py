"""One message, one Chinese: the catalogues never translate the same words two ways.

Django merges every app's catalogue and the project's (branchwork/locale) into one per
language, and for a message in more than one the project's wins, then the app listed first in
INSTALLED_APPS. An app that translates "title" as 职务 (a contact's job title) while the project
translates it as 标题 silently shows 标题. Where the meanings differ the app gives its message a
context (`pgettext`, `{% translate … context … %}`); where they do not, the Chinese is the same.
"""

import gettext
from collections import defaultdict
from pathlib import Path

from django.utils import translation

PACKAGE = Path(__file__).resolve().parents[1]


def _catalogues() -> dict[str, dict]:
    found = {}
    for mo in sorted(PACKAGE.glob("**/locale/zh_Hans/LC_MESSAGES/django.mo")):
        with mo.open("rb") as f:
            found[str(mo.relative_to(PACKAGE).parents[3]) or "branchwork"] = gettext.GNUTranslations(f)._catalog
    return found


def test_no_message_has_two_chinese_translations():
    catalogues = _catalogues()
    assert len(catalogues) >= 5, sorted(catalogues)
    by_message: dict[object, dict[str, str]] = defaultdict(dict)
    for where, catalogue in catalogues.items():
        for message, chinese in catalogue.items():
            if message:  # the header
                by_message[message][where] = chinese
    twice = {str(m).replace("\x04", " | "): ways for m, ways in by_message.items() if len(set(ways.values())) > 1}
    assert not twice, "\n".join(f"{m!r}: {ways}" for m, ways in sorted(twice.items()))


def test_an_apps_own_meaning_reaches_its_page():
    """The merged catalogue answers each app's context with the app's words (the case the check
    above guards: a contact's job title, a delegation's member, an event's host)."""
    with translation.override("zh-hans"):
        assert translation.pgettext("job title", "title") == "职务"
        assert translation.gettext("title") == "标题"
        assert translation.pgettext("exchanges", "member") == "成员"
        assert translation.gettext("Member") == "党员"
        assert translation.pgettext("exchanges", "host") == "主办方"
        assert translation.gettext("Pages") == "页面"
        assert translation.pgettext("pagination", "Pages") == "分页"
