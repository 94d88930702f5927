"""What happens when the editorial workflow's last step is approved: the article is published.

Named by settings.WAGTAIL_FINISH_WORKFLOW_ACTION, which Wagtail imports while its models load, so
this module imports nothing at the top. Wagtail's default action publishes with the approving
user's permissions; editors and signers have no "publish" permission of their own (nobody but an
administrator publishes outside the workflow), so here the signer's approval is the authority:
the latest revision is published (or scheduled, when it has a go-live time) without that check.
"""


def publish_signed_off(workflow_state, user=None):
    from wagtail.models import Revision

    obj = workflow_state.content_object
    # The latest revision from the database: approving may have just saved one (EditorialTask
    # names the approver on the article), which the cached object does not know of yet.
    revision = (
        Revision.objects.filter(base_content_type=obj.get_base_content_type(), object_id=str(obj.pk))
        .order_by("-created_at", "-id")
        .first()
    )
    revision.publish(user=user, skip_permission_checks=True)
