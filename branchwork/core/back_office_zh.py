"""Strings of Wagtail's back office (and Django's time spans) that Wagtail's and Django's Chinese
catalogues lack or get wrong: named here so that `make messages` keeps them in our catalogue
(branchwork/locale), whose Chinese comes before theirs (LOCALE_PATHS precedes the apps'). The
msgids are Wagtail's and Django's own; tests/test_back_office_chinese.py checks the result.
Wagtail's own gaps are written up for upstream in docs/upstream/wagtail-zh-hans.md; strings
Wagtail writes into its templates untranslated cannot be reached this way."""

from django.utils.translation import gettext_noop, ngettext_lazy

SINGLE = [
    gettext_noop('Search all pages…'),
    gettext_noop('Wagtail %(current_version)s editor guide'),
    gettext_noop('Edit account avatar'),
    gettext_noop('Privacy and access'),
    gettext_noop('Page types usage'),
    gettext_noop('Shortcuts'),
    gettext_noop('Pages'),
    gettext_noop('Search'),
    gettext_noop('%(time_period)s ago'),
    gettext_noop('%(time_period)s ago by %(user_display_name)s'),
    gettext_noop('Exploring'),
    gettext_noop('Actions'),
    gettext_noop('Date updated'),
    gettext_noop('Edited by'),
    gettext_noop('Has child pages'),
    gettext_noop('Page type'),
    gettext_noop('Any'),
    gettext_noop('None'),
    gettext_noop('Locking: '),
    gettext_noop('Anyone can edit this %(model_name)s'),
    gettext_noop('Anyone can edit this %(model_name)s – lock it to prevent others from editing'),
    gettext_noop('The root level is where you can add new sites to your Wagtail installation. Pages created here will not be accessible at any URL until they are associated with a site.'),
    gettext_noop('If you just want to add pages to an existing site, create them as children of the homepage instead.'),
]

PLURAL = [
    ngettext_lazy('%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>', '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>', 'total'),
    ngettext_lazy('%(total)s Image <span class="w-sr-only">created in %(site_name)s</span>', '%(total)s Images <span class="w-sr-only">created in %(site_name)s</span>', 'total'),
    ngettext_lazy('%(total)s Document <span class="w-sr-only">created in %(site_name)s</span>', '%(total)s Documents <span class="w-sr-only">created in %(site_name)s</span>', 'total'),
    ngettext_lazy('Referenced %(count)s time', 'Referenced %(count)s times', 'count'),
    ngettext_lazy('%(num)d year', '%(num)d years', 'num'),
    ngettext_lazy('%(num)d month', '%(num)d months', 'num'),
    ngettext_lazy('%(num)d week', '%(num)d weeks', 'num'),
    ngettext_lazy('%(num)d day', '%(num)d days', 'num'),
    ngettext_lazy('%(num)d hour', '%(num)d hours', 'num'),
    ngettext_lazy('%(num)d minute', '%(num)d minutes', 'num'),
]
