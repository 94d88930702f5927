"""`{% load i18n %}` loads this library (settings.TEMPLATES' "libraries"): Django's i18n tags and
filters, with `{% translate "constant" %}` answered from a per-node, per-language cache.

Django's tag makes a lazy string for the message on every render and forces it through the
translation machinery (the active language, the catalogue chain), about forty times per page on
/my/. A constant message with a constant context (or none) and no filters translates to the same
text for the same language and escaping, as long as the catalogues are the same: the node keeps
that text per (language, autoescape) and forgets it when a setting the catalogues depend on
changes (tests). Everything else (a variable message, a filter, `noop`) goes Django's way.
"""

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import render_value_in_context
from django.templatetags import i18n as django_i18n
from django.utils import translation
from django.utils.safestring import SafeData, mark_safe

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)

# Moved on when the catalogues may change (the same settings that make Django drop its own).
_epoch = [0]


@receiver(setting_changed)
def _catalogues_changed(*, setting, **kwargs):
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}:
        _epoch[0] += 1


def _constant(expression) -> bool:
    return expression is None or (isinstance(expression.var, str) and not expression.filters)


class CachedTranslateNode(django_i18n.TranslateNode):
    cacheable = False
    texts: dict

    def render(self, context):
        if not self.cacheable:
            return super().render(context)
        key = (translation.get_language(), context.autoescape, _epoch[0])
        value = self.texts.get(key)
        if value is None:
            value = self.texts[key] = self._translate(context)
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value

    def _translate(self, context):
        """What Django's tag renders, without putting it into the context."""
        self.filter_expression.var.translate = True
        if self.message_context:
            self.filter_expression.var.message_context = self.message_context.resolve(context)
        value = render_value_in_context(self.filter_expression.resolve(context), context)
        is_safe = isinstance(value, SafeData)
        value = value.replace("%%", "%")
        return mark_safe(value) if is_safe else value  # noqa: S308 - Django's own marking


def _cached(parse):
    def tag(parser, token):
        node = parse(parser, token)
        if type(node) is django_i18n.TranslateNode:
            node.__class__ = CachedTranslateNode
            node.cacheable = (not node.noop and not node.filter_expression.filters
                              and node.filter_expression.var.literal is not None
                              and _constant(node.message_context))
            node.texts = {}
        return node
    return tag


register.tag("translate", _cached(django_i18n.do_translate))
register.tag("trans", _cached(django_i18n.do_translate))
