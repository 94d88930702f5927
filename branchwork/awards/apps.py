from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "branchwork.awards"
    label = "awards"
    verbose_name = _("Awards and competitions")

    def ready(self) -> None:
        from branchwork.awards import models, permissions
        from branchwork.core import audit

        audit.register(models.Award, organization=lambda a: a.organization_id)
        audit.register(models.Competition, organization=lambda c: c.organization_id)
        audit.register(models.EligibilityRule, organization=lambda r: r.competition.organization_id)
        audit.register(models.Criterion, organization=lambda c: c.competition.organization_id)
        audit.register(models.Prize, organization=lambda p: p.competition.organization_id)
        audit.register(models.Judge, organization=lambda j: j.competition.organization_id)
        # Entries and scores stay out of the trail: under blind scoring its readers (the
        # organization's managers and the committee's staff) would pair judges with entrants.
        permissions.register()
        # The research office's yearly figures count the awards of the year.
        from branchwork.awards.figures import awards_by_body_section, awards_by_level_section
        from branchwork.research import figures

        figures.register_section(awards_by_level_section)
        figures.register_section(awards_by_body_section)
