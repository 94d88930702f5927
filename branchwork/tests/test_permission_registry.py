"""The registry of the one policy: every app's rules are there after start-up, and a question
about a model or an action nobody answers fails loudly instead of guessing."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from wagtail.models import Page

from branchwork.activities.models import Activity, Election
from branchwork.core import permissions
from branchwork.core.models import Organization
from branchwork.publishing.models import ArticlePage


def test_each_app_registers_the_rules_of_its_models_at_start_up():
    assert {model._meta.label for model in permissions.registered_models()} == {
        "core.Organization", "core.Person", "core.Membership", "core.AuditEntry",
        "activities.Activity", "activities.Election",
        "reports.LedgerExport",
        "journal.Journal", "journal.JournalIssue", "journal.JournalEntry",
        "lectures.Talk", "lectures.LectureSeries",
        "wagtailcore.Page", "wagtaildocs.Document",
        "intake.IncomingMessage",
        "learning.StudyPlan", "learning.StudyPlanItem", "learning.TrainingCourse",
        "learning.StudyNote", "learning.ExternalTraining",
        "research.Output", "research.Topic", "research.Instruction", "research.Outlet",
        "exchanges.Party", "exchanges.Contact", "exchanges.Event", "exchanges.Delegation",
        "exchanges.Participant", "exchanges.Trip", "exchanges.TripFollowUp",
        "awards.Award", "awards.Competition", "awards.Entry",
    }
    assert set(permissions.rules_for(Activity).actions) == {"manage", "record", "approve"}
    # An election is recorded by those who record its meeting, approved by the committee above.
    assert set(permissions.rules_for(Election).actions) == {"record", "approve"}
    # The reports app answers for ledgers, learning for who is short of hours, on core's
    # organizations.
    assert set(permissions.rules_for(Organization).actions) == {"see", "manage", "export_ledger", "restructure",
                                                                 "see_training_hours"}


def test_it_refuses_questions_about_a_model_without_rules():
    anon = AnonymousUser()
    with pytest.raises(permissions.NotRegistered, match="auth.Group"):
        permissions.visible(anon, Group)
    with pytest.raises(permissions.NotRegistered, match="auth.Group"):
        permissions.get_or_404(anon, Group, 1)
    with pytest.raises(permissions.NotRegistered, match="auth.Group"):
        permissions.can(anon, "change", Group(name="editors"))


def test_it_refuses_an_action_the_rules_do_not_answer():
    with pytest.raises(permissions.NotRegistered, match="'aprove'.*approve, manage, record"):
        permissions.can(AnonymousUser(), "aprove", Activity())


def test_a_subclass_follows_the_rules_of_its_registered_parent(db):
    assert permissions.rules_for(ArticlePage).model is Page
    assert permissions.visible(AnonymousUser(), ArticlePage).model is ArticlePage
    assert permissions.can(AnonymousUser(), "read", ArticlePage(visibility="public"))


def test_an_outsider_gets_404_from_the_generic_lookup(personas):
    with pytest.raises(Http404):
        permissions.get_or_404(personas.carol, Organization, code="branch-a")
    with pytest.raises(Http404):  # a malformed key is no 500
        permissions.get_or_404(personas.carol, Activity, "not-a-number")
    assert permissions.get_or_404(personas.bob, Organization, code="branch-a") == personas.branch_a


def test_a_model_keeps_one_set_of_rules_and_an_action_one_rule():
    permissions.register(Group, visible=lambda user: Group.objects.none(),
                         rename=lambda user, group: False)
    try:
        with pytest.raises(ImproperlyConfigured, match="has its permission rules already"):
            permissions.register(Group, visible=lambda user: Group.objects.all())
        with pytest.raises(ImproperlyConfigured, match="already has a rule for 'rename'"):
            permissions.extend(Group, rename=lambda user, g: True)
    finally:
        permissions._registry.pop(Group)
