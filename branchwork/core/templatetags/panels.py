"""`{% activity_panels activity %}`: the panels other apps register for an activity's page
(`core.hooks.ACTIVITY_PANELS`), and `{% record_panels record %}` those for any other record's page
(`core.hooks.RECORD_PANELS`), each rendered from its own template."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from branchwork.core import hooks

register = template.Library()


def _render(request, panels) -> str:
    parts = [render_to_string(panel.template, {**panel.context, "panel": panel}, request=request)
             for panel in panels]
    return mark_safe("".join(parts))  # noqa: S308 (each part is a template's output, escaped there)


@register.simple_tag(takes_context=True)
def activity_panels(context, activity):
    request = context.get("request")
    if request is None:
        return ""
    return _render(request, hooks.activity_panels(request, activity))


@register.simple_tag(takes_context=True)
def record_panels(context, record):
    request = context.get("request")
    if request is None:
        return ""
    return _render(request, hooks.record_panels(request, record))
