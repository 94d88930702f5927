"""`{% load i18n %}` loads core's cached_i18n: a constant `{% translate %}` is kept per node and
language, and renders what Django's own tag renders."""

import pytest
from django.template import Context, Engine, engines
from django.test import override_settings
from django.utils import translation

from branchwork.core.templatetags.cached_i18n import CachedTranslateNode

SNIPPETS = [
    '{% translate "My page" %}',
    '{% translate "speaker" context "attendance" %}',
    '{% translate "At least 20%% more candidates than seats. Leave unused rows empty." %}',
    '{% translate "Log out" as label %}[{{ label }}]',
    '{% translate "Log out" noop %}',
    '{% translate "Log out"|upper %}',
    '{% translate word %}',
    '{% translate "<b>x</b>" %}',
    '{% autoescape off %}{% translate "<b>x</b>" %}{% endautoescape %}',
]


def _django_engine():
    """The same templates with Django's own i18n library."""
    return Engine(libraries={"i18n": "django.templatetags.i18n"})


def test_load_i18n_gives_the_cached_tag():
    template = engines["django"].from_string('{% load i18n %}{% translate "My page" %}')
    assert any(isinstance(node, CachedTranslateNode) for node in template.template.nodelist)


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_renders_as_djangos_tag_in_each_language_from_the_same_template(snippet):
    ours = engines["django"].from_string("{% load i18n %}" + snippet)
    theirs = _django_engine().from_string("{% load i18n %}" + snippet)
    for language in ("zh-hans", "en", "zh-hans", "en"):  # the same node, each language in turn
        with translation.override(language):
            expected = theirs.render(Context({"word": "Log out"}))
            assert ours.render({"word": "Log out"}) == expected, (language, snippet)


def test_the_language_is_part_of_the_key():
    template = engines["django"].from_string('{% load i18n %}{% translate "Log out" %}')
    with translation.override("zh-hans"):
        assert template.render({}) == "退出"
    with translation.override("en"):
        assert template.render({}) == "Log out"


def test_a_settings_change_forgets_what_was_kept():
    ours = engines["django"].from_string('{% load i18n %}{% translate "Log out" %}')
    theirs = _django_engine().from_string('{% load i18n %}{% translate "Log out" %}')
    with translation.override("zh-hans"):
        assert ours.render({}) == "退出"
        with override_settings(LOCALE_PATHS=[]):  # the project's own catalogue is not read
            expected = theirs.render(Context({}))
            assert expected != "退出"
            assert ours.render({}) == expected
        assert ours.render({}) == "退出"
