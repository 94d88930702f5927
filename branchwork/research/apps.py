from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    name = "branchwork.research"
    label = "research"
    verbose_name = _("Research work")

    def ready(self) -> None:
        from branchwork.core import audit
        from branchwork.research import models, permissions

        audit.register(models.Topic, organization=lambda t: t.organization_id)
        audit.register(models.Output, organization=lambda o: o.organization_id, exclude=("text",))
        audit.register(models.Submission, organization=lambda s: s.output.organization_id)
        # An instruction's text is read by fewer people than the trail is: it stays out of it.
        audit.register(models.Instruction, organization=lambda i: i.submission.output.organization_id,
                       exclude=("text",))
        audit.register(models.FollowUp,
                       organization=lambda f: f.instruction.submission.output.organization_id,
                       exclude=("action",))
        audit.register(models.Publication, organization=lambda p: p.output.organization_id)
        audit.register(models.Outlet, organization=lambda o: None)
        permissions.register()
