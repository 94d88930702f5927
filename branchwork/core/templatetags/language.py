"""Punctuation by the language shown (branchwork.core.language), available in every template:
`{% colon %}` after a label, `{{ names|listed }}` for a list of names, `{{ x|bracketed }}`."""

from django import template

from branchwork.core import language

register = template.Library()


@register.simple_tag
def colon():
    return language.colon()


@register.simple_tag
def list_sep():
    return language.list_separator()


@register.filter
def listed(items):
    return language.join_list(items)


@register.filter
def bracketed(text):
    return language.bracketed(text) if text else ""
