from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "branchwork.learning"
    label = "learning"
    verbose_name = _("Learning")

    def ready(self) -> None:
        from branchwork.core import audit
        from branchwork.learning import permissions
        from branchwork.learning.models import (
            ExternalTraining,
            StudyPlan,
            StudyPlanItem,
            TrainingCourse,
        )

        audit.register(StudyPlan, organization=lambda p: p.organization_id)
        audit.register(StudyPlanItem, organization=lambda i: i.plan.organization_id)
        audit.register(TrainingCourse, organization=lambda c: c.organization_id)
        audit.register(ExternalTraining, organization=lambda t: t.organization_id)
        # Study notes stay out of the audit trail: its readers (the organization's managers, the
        # committee's staff) would read there the text that is the member's and the secretary's.
        permissions.register()
        # The research office's yearly figures show the distribution of study hours.
        from branchwork.learning.figures import study_hours_section
        from branchwork.research import figures

        figures.register_section(study_hours_section)
