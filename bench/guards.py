"""Remove each guard that protects the record, once, and check that a test fails without it.

A guard is only real if a test fails without it. Each entry below names a file, the guard's
text, what it becomes without the guard, and the tests that must then fail. The runner applies
one mutation at a time to a scratch copy of the package, runs those tests there, and reports
which mutations no test noticed (exit status 1 if any). The working tree is never modified.

    .venv/bin/python bench/guards.py            # all guards (about 10 minutes on 2 cores)
    .venv/bin/python bench/guards.py lock       # only guards whose name contains "lock"
    .venv/bin/python bench/guards.py --check    # only that every guard's text and tests exist
    make guards                                 # the same as the first line

With DATABASE_URL set, the tests run on that PostgreSQL server (the row-lock guard is only
observable there: SQLite serializes writers with BEGIN IMMEDIATE whatever the code does).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Guard:
    name: str
    path: str
    guard: str
    without: str
    tests: tuple[str, ...]
    postgres_only: bool = False


LOCK_TESTS = "branchwork/activities/tests/test_record_lock.py"
LOCK_API = "branchwork/api/tests/test_record_lock_api.py"
SERVICES = "branchwork/activities/services/"  # a package: the module holding the text
JOURNAL = "branchwork/journal/services.py"
ISSUE_LOCK = "branchwork/journal/tests/test_issue_lock.py"
PUBLISHING = "branchwork/publishing/services.py"
WORKFLOW = "branchwork/publishing/tests/test_workflow.py"
AUDIT = "branchwork/activities/tests/test_audit_trail.py"
ORGLIFE = "branchwork/activities/tests/test_orglife_rules.py"
CHECKS = "branchwork/activities/tests/test_checks.py"
ELECTIONS = "branchwork/activities/elections.py"
ELECTION_TESTS = "branchwork/activities/tests/test_elections.py"
ELECTION_PAGES = "branchwork/activities/tests/test_election_pages.py"
GENERAL_HISTORY = "branchwork/activities/tests/test_general_branch_history.py"
SPEAKERS = "branchwork/activities/tests/test_minutes_speakers.py"
SECRETARY = "branchwork/activities/tests/test_secretary_view.py"
LEASES = "branchwork/core/worker.py"
LEASE_TESTS = "branchwork/core/tests/test_task_leases.py"
RESTRUCTURE = "branchwork/api/tests/test_org_restructure_api.py"
OTP = "branchwork/core/tests/test_two_factor.py"
EXPORT_TESTS = "branchwork/reports/tests/test_orphaned_exports.py"
LEARNING_PAGES = "branchwork/learning/tests/test_pages.py"
LEARNING_HOURS = "branchwork/learning/tests/test_hours.py"
LEARNING_EDITING = "branchwork/learning/tests/test_editing.py"
RESEARCH = "branchwork/research/services.py"
RESEARCH_OUTPUTS = "branchwork/research/tests/test_outputs.py"
RESEARCH_INSTRUCTIONS = "branchwork/research/tests/test_instructions.py"
RESEARCH_PORTAL = "branchwork/research/portal.py"
RESEARCH_PORTAL_TESTS = "branchwork/research/tests/test_portal.py"
RESEARCH_PORTAL_PAGES = "branchwork/research/tests/test_portal_pages.py"
SEARCH_WORK = "branchwork/search/kinds_work.py"
SEARCH_WORK_TESTS = "branchwork/search/tests/test_work_permissions.py"
EXCHANGES_IMPORT = "branchwork/exchanges/importers.py"
EXCHANGES_IMPORT_TESTS = "branchwork/exchanges/tests/test_importers.py"
EXCHANGES_SERVICES = "branchwork/exchanges/services.py"
EXCHANGES_PAGES = "branchwork/exchanges/tests/test_pages.py"
EXCHANGES_PROGRAMME = "branchwork/exchanges/tests/test_programme.py"
EXCHANGES_PROGRAMME_SERVICES = "branchwork/exchanges/services_programme.py"
EXCHANGES_LETTERS = "branchwork/exchanges/services_letters.py"
EXCHANGES_LETTER_TESTS = "branchwork/exchanges/tests/test_letters.py"
EXCHANGES_INVITATIONS = "branchwork/exchanges/tests/test_invitations.py"
TRIPS = "branchwork/exchanges/services_trips.py"
TRIP_TESTS = "branchwork/exchanges/tests/test_trips.py"
READER = "branchwork/core/tests/test_reader_cache.py"
AWARDS = "branchwork/awards/services.py"
AWARDS_TESTS = "branchwork/awards/tests/test_competitions.py"
AWARDS_PAGES = "branchwork/awards/tests/test_judging_pages.py"
AWARDS_EDITS = "branchwork/awards/edits.py"
AWARDS_EDIT_TESTS = "branchwork/awards/tests/test_editing.py"

GUARDS = [
    Guard("activities: the record is read afresh under the lock", SERVICES,
          "    lock_for_update(activity)\n    if activity.status not in states:",
          "    if activity.status not in states:",
          (f"{LOCK_TESTS}::test_approving_after_someone_sent_the_minutes_back_is_refused",
           LOCK_TESTS)),
    Guard("activities: the lock is a row lock (SELECT … FOR UPDATE)",
          "branchwork/core/conflicts.py",
          "from_queryset=manager.select_for_update()", "from_queryset=manager.all()",
          (f"{LOCK_API}::test_racing_approve_and_return_one_wins_and_the_other_gets_409",
           f"{LOCK_API}::test_twenty_simultaneous_minute_saves_keep_one_and_refuse_nineteen",
           "branchwork/learning/tests/test_training_race.py"),
          postgres_only=True),
    Guard("activities: minutes are saved only in a draft", SERVICES,
          '    _lock(activity, OPEN_STATES, _("The minutes are %(status)s and cannot be edited."))',
          "    pass", (LOCK_TESTS, LOCK_API)),
    Guard("activities: a change of the record only in a draft", SERVICES,
          "    _lock(activity, OPEN_STATES, _LOCKED_MESSAGE)\n    _check_version(activity, version)",
          "    _check_version(activity, version)", (LOCK_TESTS, LOCK_API)),
    Guard("activities: attendance only in a draft", SERVICES,
          "    _lock(activity, OPEN_STATES,\n          _(\"Attendance can no longer be changed",
          "    _lock(activity, HELD_STATES,\n          _(\"Attendance can no longer be changed",
          (LOCK_TESTS, LOCK_API)),
    Guard("activities: submit only a draft", SERVICES,
          "    _lock(activity, (ActivityStatus.HELD,), _(\"Only minutes in draft can be submitted",
          "    _lock(activity, HELD_STATES, _(\"Only minutes in draft can be submitted",
          (LOCK_TESTS, LOCK_API)),
    Guard("activities: approve only what was submitted", SERVICES,
          "    _lock(activity, (ActivityStatus.SUBMITTED,),\n          _(\"Only submitted minutes can be approved",
          "    _lock(activity, HELD_STATES,\n          _(\"Only submitted minutes can be approved",
          (LOCK_TESTS, LOCK_API)),
    Guard("activities: send back only what was submitted", SERVICES,
          "    _lock(activity, (ActivityStatus.SUBMITTED,),\n          _(\"Only submitted minutes can be sent back",
          "    _lock(activity, HELD_STATES,\n          _(\"Only submitted minutes can be sent back",
          (LOCK_TESTS, LOCK_API)),
    Guard("activities: amend only a locked record", SERVICES,
          "    _lock(activity, (ActivityStatus.LOCKED,),\n          _(\"Only a locked record is amended",
          "    _lock(activity, tuple(ActivityStatus),\n          _(\"Only a locked record is amended",
          (LOCK_TESTS,)),
    Guard("activities: attachments only in a draft (adding)", SERVICES,
          "def attachment_add(*, by, activity: Activity, kind: str, file, caption: str = \"\") -> Attachment:\n    _lock(activity, OPEN_STATES, _LOCKED_MESSAGE)",
          "def attachment_add(*, by, activity: Activity, kind: str, file, caption: str = \"\") -> Attachment:",
          (LOCK_TESTS,)),
    Guard("activities: attachments only in a draft (removing)", SERVICES,
          "    _lock(attachment.activity, OPEN_STATES, _LOCKED_MESSAGE)", "    pass",
          (LOCK_TESTS,)),
    Guard("activities: cancel only a planned activity", SERVICES,
          "    _lock(activity, (ActivityStatus.PLANNED,), _(\"Only a planned activity can be cancelled.\"))",
          "    pass", (LOCK_TESTS,)),
    Guard("activities: check-in only while the record is a draft", SERVICES,
          "    if activity.status not in OPEN_STATES:\n        raise CheckInRefused",
          "    if False:\n        raise CheckInRefused", (LOCK_TESTS,)),
    Guard("activities: a save based on an old version is refused", SERVICES,
          "    if version is None or version == activity.minutes_version:\n        return",
          "    return", (LOCK_TESTS, LOCK_API)),
    Guard("activities: every saved change of the text moves the version on", SERVICES,
          "    activity.minutes_version += 1\n    fields = [",
          "    fields = [", (LOCK_TESTS, LOCK_API)),
    Guard("journal: a published issue takes no write", JOURNAL,
          "    if issue.status == IssueStatus.PUBLISHED:\n        raise Conflict(_(\"This issue is published and locked",
          "    if False:\n        raise Conflict(_(\"This issue is published and locked",
          (ISSUE_LOCK,)),
    Guard("journal: the issue is read afresh under the lock", JOURNAL,
          "    lock_for_update(issue)\n    if issue.status == IssueStatus.PUBLISHED:",
          "    if issue.status == IssueStatus.PUBLISHED:", (ISSUE_LOCK,)),
    Guard("journal: the back office edits a draft issue only", "branchwork/journal/wagtail_hooks.py",
          "        if JournalIssue.objects.filter(pk__in=issue_ids, status=IssueStatus.PUBLISHED).exists():",
          "        if False:", (ISSUE_LOCK,)),
    Guard("publishing: an author revises only a contribution sent back", PUBLISHING,
          "    if state is None or state.status != WorkflowState.STATUS_NEEDS_CHANGES:",
          "    if state is None:", (WORKFLOW,)),
    Guard("publishing: a decision only on a contribution waiting for one", PUBLISHING,
          "    if state is None or state.status != WorkflowState.STATUS_IN_PROGRESS or task_state is None:",
          "    if state is None or task_state is None:", (WORKFLOW,)),
    Guard("audit: bulk attendance marks are logged", SERVICES,
          "        audit.bulk_update(changed, [\"status\", \"reason\", \"marked_via\", \"marked_at\"],\n"
          "                          organization_id=activity.organization_id)",
          "        Attendance.objects.bulk_update(changed, [\"status\", \"reason\", \"marked_via\", \"marked_at\"])",
          (AUDIT,)),
    Guard("orglife: a meeting sees the statuses as its day began", "branchwork/core/selectors.py",
          "    return statuses_on(person_ids, day - datetime.timedelta(days=1))",
          "    return statuses_on(person_ids, day)",
          (f"{ORGLIFE}::test_a_probationary_member_does_not_vote_on_her_own_full_membership",)),
    Guard("orglife: only full members vote", "branchwork/core/models.py",
          "VOTING_STATUSES = frozenset({MembershipStatus.FULL})",
          "VOTING_STATUSES = frozenset({MembershipStatus.FULL, MembershipStatus.SUSPENDED})",
          (f"{ORGLIFE}::test_a_suspended_member_votes_again_once_the_suspension_ends",)),
    Guard("orglife: a branch's own meetings count only for the host", SERVICES,
          "    if get_rulebook().type(code).joint:\n",
          "    if True:\n",
          (f"{ORGLIFE}::test_a_general_branch_general_meeting_is_not_a_branch_general_meeting",)),
    Guard("orglife: a yearly record counts for the year it covers", SERVICES,
          "        year = activity.year_covered if rulebook.type(code).yearly else activity.local_date.year",
          "        year = activity.local_date.year",
          (f"{ORGLIFE}::test_the_2025_meeting_held_in_january_2026_counts_for_2025",)),
    Guard("orglife: a recorded status history is not overwritten from the person form",
          "branchwork/core/services.py",
          "            if person.status_changes.filter(derived=False).exists():",
          "            if False:",
          ("branchwork/core/tests/test_status_history.py::"
           "test_the_status_of_a_person_with_a_recorded_history_is_not_edited_on_the_person_record",)),
    Guard("activities: approval runs the consistency checks", SERVICES,
          "        if failures:\n            raise ValidationError([f.message for f in failures])",
          "        if False:\n            raise ValidationError([f.message for f in failures])",
          (f"{CHECKS}::test_the_place_is_required_before_approval",
           f"{CHECKS}::test_an_absent_speaker_is_refused_naming_the_person_and_the_rule")),
    Guard("activities: a resolution passes with more than half, not half", "branchwork/activities/models/",
          "2 * votes_for > voting_expected", "2 * votes_for >= voting_expected",
          (f"{CHECKS}::test_with_an_even_number_of_voters_exactly_half_is_not_enough",)),
    Guard("elections: at least 20% more candidates than seats", ELECTIONS,
          "    if count <= election.seats or Fraction(count - election.seats) < CANDIDATE_MARGIN * election.seats:",
          "    if False:",
          (f"{ELECTION_TESTS}::test_equal_candidates_and_seats_are_refused_naming_the_rule_and_its_source",)),
    Guard("elections: more than four fifths present", ELECTIONS,
          "    if not r.voting_present > ATTENDANCE_SHARE * r.voting_expected:",
          "    if not r.voting_present >= ATTENDANCE_SHARE * r.voting_expected:",
          (f"{ELECTION_TESTS}::test_attendance_of_four_fifths_or_less_is_refused",)),
    Guard("elections: reporting from the page refuses a record breaking a rule", ELECTIONS,
          "    _refuse_if_broken(election)\n    election.status = ElectionStatus.REPORTED",
          "    election.status = ElectionStatus.REPORTED",
          (f"{ELECTION_PAGES}::test_equal_candidates_and_seats_are_named_with_the_rule_and_the_report_is_refused",)),
    Guard("elections: the branch does not approve its own election (the committee above does)",
          "branchwork/activities/permissions.py",
          "        path.startswith(p) and path != p for p in (*reader.manage_paths, *reader.staff_paths))",
          "        path.startswith(p) for p in (*reader.manage_paths, *reader.staff_paths))",
          (f"{ELECTION_PAGES}::test_the_secretary_records_an_election_and_the_committee_approves_it",)),
    Guard("activities: a general branch's joint activity credits the branches under it on its date",
          SERVICES,
          "core_selectors.member_pool(activity.organization, activity.local_date)[1:]",
          "core_selectors.member_pool(activity.organization)[1:]",
          (f"{GENERAL_HISTORY}::test_before_the_restructure_the_branches_then_under_it_are_credited_and_expected",)),
    Guard("activities: a general branch's meeting expects the members of its branches on its date",
          SERVICES,
          "core_selectors.member_pool(org, on)):", "core_selectors.member_pool(org)):",
          (f"{GENERAL_HISTORY}::test_before_the_restructure_the_branches_then_under_it_are_credited_and_expected",)),
    Guard("activities: editing a resolution's text keeps whom it is about",
          SERVICES,
          'subject = r["subject_person"] if "subject_person" in r else before.get(text)',
          'subject = r.get("subject_person")',
          (f"{SPEAKERS}::test_a_vote_on_a_matter_about_a_member_counting_their_vote_is_refused",)),
    Guard("activities: approving asks for a ticked confirmation", "branchwork/activities/views/",
          '    if request.POST.get("confirm") != "1":', "    if False:",
          ("branchwork/activities/tests/test_views.py::test_recorder_marks_writes_submits_and_host_approves",)),
    Guard("activities: the projector's live count is for those who record",
          "branchwork/activities/views/",
          '        raise Http404("No such activity")\n    counts = _checkin_counts(activity)',
          "        pass\n    counts = _checkin_counts(activity)",
          (f"{SECRETARY}::test_the_projector_count_is_a_json_endpoint_for_those_who_record",)),
    Guard("activities: no check-in button before the window opens", "branchwork/activities/checkin.py",
          "    if now < opens:\n        return CheckInState(NOT_YET, opens, closes)\n", "",
          (f"{SECRETARY}::test_before_the_window_the_phone_page_says_when_it_opens_and_offers_no_button",
           f"{SECRETARY}::test_my_page_links_to_check_in_only_inside_the_window")),
    # Leases of background tasks (core/worker.py): a dead worker's task is not stuck for ever.
    Guard("leases: a task of a worker whose process is gone is reclaimed", LEASES,
          "    if worker.host == host and worker.pid != os.getpid() and not process_exists(worker.pid):",
          "    if False:", (f"{LEASE_TESTS}::test_a_task_whose_worker_process_is_gone_is_requeued_at_once",)),
    Guard("leases: attempts are bounded, then the task fails visibly", LEASES,
          "            if attempts < max_attempts():", "            if True:",
          (f"{LEASE_TESTS}::test_after_the_last_attempt_the_task_is_failed_with_the_reason",)),
    Guard("leases: a starting worker reclaims the tasks of dead ones",
          "branchwork/core/management/commands/db_worker.py",
          "        report = leases.reclaim()\n", "        report = leases.ReclaimReport()\n",
          (f"{LEASE_TESTS}::test_a_restarted_worker_runs_the_task_its_dead_predecessor_left",)),
    Guard("leases: a given-up ledger export is marked failed", LEASES,
          "    for handler in lost_handlers(task_path):", "    for handler in ():",
          (f"{EXPORT_TESTS}::test_a_ledger_export_whose_task_is_given_up_says_so",)),
    Guard("leases: an orphaned journal PDF build is rebuilt on request", JOURNAL,
          "    if build is not None and build.is_pending and build_orphaned(build):",
          "    if False:",
          ("branchwork/journal/tests/test_orphaned_builds.py",)),
    Guard("leases: an orphaned ledger export shows failed", "branchwork/reports/services.py",
          "    if task_pending(build_ledger_export, export_id=export.pk):\n        return export",
          "    return export",
          (f"{EXPORT_TESTS}::test_a_ledger_export_left_building_with_no_task_behind_it_shows_failed",)),
    Guard("organizations: only the level above closes or moves one", "branchwork/api/views.py",
          "            if not permissions.can_restructure_org(user, org):",
          "            if False:", (RESTRUCTURE,)),
    Guard("organizations: closing or moving one needs confirm", "branchwork/api/views.py",
          "            if not confirm:", "            if False:", (RESTRUCTURE,)),
    Guard("otp: the committee's staff give a second factor everywhere", "branchwork/core/auth.py",
          "    if is_committee_staff(user):\n        return True\n",
          "", (f"{OTP}::test_committee_staff_are_asked_everywhere",)),
    Guard("otp: the back office asks for the second factor", "branchwork/core/auth.py",
          "    return path.startswith(BACK_OFFICE_PREFIXES) and permissions.may_use_back_office(user)",
          "    return False", (f"{OTP}::test_an_editor_is_asked_in_the_back_office_only",)),
    Guard("otp: wrong codes are throttled", "branchwork/settings.py",
          'OTP_TOTP_THROTTLE_FACTOR = env_int("OTP_TOTP_THROTTLE_FACTOR", 1)',
          'OTP_TOTP_THROTTLE_FACTOR = env_int("OTP_TOTP_THROTTLE_FACTOR", 0)',
          (f"{OTP}::test_a_wrong_code_repeated_is_throttled",)),
    Guard("otp: a password alone adds no second device", "branchwork/core/otp_views.py",
          "    if auth.has_device(user) and not auth.is_verified(request):",
          "    if False:", (f"{OTP}::test_a_password_alone_cannot_add_a_second_device",)),
    Guard("otp: the API's session owes the second factor too", "branchwork/api/authentication.py",
          "        if (pending or must_use_second_factor(result[0])) and not is_verified(django_request):",
          "        if False:",
          (f"{OTP}::test_api_tokens_are_unaffected_but_a_staff_session_must_be_verified",)),
    Guard("learning: a decision on external training reads it afresh under the lock",
          "branchwork/learning/services.py",
          "    lock_for_update(training)\n    if training.status not in states:",
          "    if training.status not in states:",
          (f"{LEARNING_PAGES}::test_a_decision_taken_on_a_stale_page_is_refused",
           f"{LEARNING_EDITING}::test_a_resubmission_read_before_the_approval_is_read_afresh_under_the_lock",
           "branchwork/learning/tests/test_training_race.py")),
    Guard("learning: only training awaiting approval is decided", "branchwork/learning/services.py",
          "    if training.status not in states:\n        raise Conflict(",
          "    if False:\n        raise Conflict(",
          (f"{LEARNING_PAGES}::test_a_decision_taken_on_a_stale_page_is_refused",)),
    Guard("learning: only returned training is submitted again", "branchwork/learning/services.py",
          "    _lock(training, (TrainingStatus.RETURNED,),",
          "    _lock(training, (TrainingStatus.RETURNED, TrainingStatus.SUBMITTED, TrainingStatus.APPROVED),",
          (f"{LEARNING_EDITING}::test_a_resubmission_read_before_the_approval_is_read_afresh_under_the_lock",
           f"{LEARNING_EDITING}::test_a_resubmission_from_a_stale_page_is_refused_with_a_clear_message",
           f"{LEARNING_EDITING}::test_training_awaiting_approval_is_not_submitted_again")),
    Guard("learning: only its member submits returned training again (service)",
          "branchwork/learning/services.py",
          "    if training.person.user_id != by.pk:", "    if False:",
          (f"{LEARNING_EDITING}::test_only_its_member_submits_training_again",)),
    Guard("learning: only its member submits returned training again (page)",
          "branchwork/learning/permissions.py",
          "    return training.person_id == permissions.reader(user).person_id", "    return True",
          (f"{LEARNING_EDITING}::test_only_its_member_submits_training_again",)),
    Guard("learning: a plan item is read afresh under the lock", "branchwork/learning/services.py",
          "    lock_for_update(item)\n    if version is not None and version != item.version:",
          "    if version is not None and version != item.version:",
          (f"{LEARNING_EDITING}::test_an_item_read_before_another_save_is_read_afresh_under_the_lock",)),
    Guard("learning: a plan item change based on an old version is refused", "branchwork/learning/services.py",
          "    if version is not None and version != item.version:", "    if False:",
          (f"{LEARNING_EDITING}::test_an_edit_based_on_an_old_version_is_refused_and_shows_the_stored_item",
           f"{LEARNING_EDITING}::test_a_removal_confirmed_on_an_old_version_is_refused")),
    Guard("learning: only the managers change a plan's items", "branchwork/learning/views.py",
          "    org = permissions.get_org_or_404(request.user, org_code, manage=True)\n    item = (StudyPlanItem",
          "    org = permissions.get_org_or_404(request.user, org_code)\n    item = (StudyPlanItem",
          (f"{LEARNING_EDITING}::test_only_the_managers_edit_or_remove_items",)),
    Guard("learning: a secretary does not approve her own training", "branchwork/learning/services.py",
          "    if training.person.user_id is not None and training.person.user_id == by.pk:",
          "    if False:",
          (f"{LEARNING_PAGES}::test_a_secretary_does_not_approve_her_own_training",)),
    Guard("learning: a note is read by the branch only once shared", "branchwork/learning/permissions.py",
          "q |= Q(shared=True, organization__path__in=access.read_paths)",
          "q |= Q(organization__path__in=access.read_paths)",
          (f"{LEARNING_PAGES}::test_a_private_note_is_read_by_its_author_and_the_secretary_only",)),
    Guard("learning: an activity of two training types counts its hours once",
          "branchwork/learning/selectors.py",
          "            .filter(Exists(training_type)))",
          "            .filter(activity__type_tags__code__in=rule.types))",
          (f"{LEARNING_HOURS}::test_an_activity_of_two_training_types_counts_its_hours_once",)),
    Guard("learning: hours count only attendance marked present", "branchwork/learning/selectors.py",
          "status__in=PRESENT_STATES, activity__status__in=HELD_STATES,",
          "activity__status__in=HELD_STATES,",
          (f"{LEARNING_HOURS}::test_hours_follow_amended_attendance",)),
    # Research: classified records keep metadata only; versions, states and the restricted rule.
    Guard("research: a classified output refuses its text", RESEARCH,
          "        lock_for_update(output)\n        _refuse_if_classified(output)\n        if base_version",
          "        lock_for_update(output)\n        if base_version",
          (f"{RESEARCH_OUTPUTS}::test_a_classified_output_refuses_its_text_with_the_reason",)),
    Guard("research: a classified output refuses files", RESEARCH,
          "        _refuse_if_classified(output)\n        stored = OutputFile(",
          "        stored = OutputFile(",
          (f"{RESEARCH_OUTPUTS}::test_a_classified_output_refuses_files",)),
    Guard("research: an instruction on a classified output is kept without text", RESEARCH,
          "            _refuse_if_classified(output, CLASSIFIED_INSTRUCTION_REFUSAL)",
          "            pass",
          (f"{RESEARCH_OUTPUTS}::test_an_instruction_on_a_classified_output_is_kept_without_its_text",)),
    Guard("research: an output holding text is not marked classified", RESEARCH,
          "        if becomes_classified and _holds_content(output):",
          "        if False:",
          (f"{RESEARCH_OUTPUTS}::test_an_output_holding_text_cannot_be_marked_classified",)),
    Guard("research: a save based on an old version is refused", RESEARCH,
          "        if base_version != output.version:",
          "        if False:",
          (f"{RESEARCH_OUTPUTS}::test_each_save_of_the_text_is_a_version_and_a_stale_save_is_refused",)),
    Guard("research: only a document draft has rounds", RESEARCH,
          "        if not output.kind.has_rounds:",
          "        if False:",
          (f"{RESEARCH_OUTPUTS}::test_a_document_draft_has_numbered_rounds_with_reviewers",)),
    Guard("research: a follow-up is read afresh under the lock before closing", RESEARCH,
          "        lock_for_update(follow_up)\n        if follow_up.closed_on is not None:",
          "        if follow_up.closed_on is not None:",
          (f"{RESEARCH_INSTRUCTIONS}::test_a_follow_up_is_closed_once",)),
    Guard("research: a follow-up is closed once", RESEARCH,
          "        if follow_up.closed_on is not None:\n            raise Conflict",
          "        if False:\n            raise Conflict",
          (f"{RESEARCH_INSTRUCTIONS}::test_a_follow_up_is_closed_once",)),
    Guard("research: a restricted output is hidden from the branch's other members",
          "branchwork/research/permissions.py",
          "        q = readable & ~Q(classification=Classification.RESTRICTED)",
          "        q = readable",
          (f"{RESEARCH_OUTPUTS}::test_a_restricted_output_is_for_its_named_readers",)),
    Guard("research: the instruction's text only for its readers",
          "branchwork/research/permissions.py",
          "            or _under(org, _role_paths(user, Role.SECRETARY))",
          "            or _under(org, permissions.reader(user).read_paths)",
          (f"{RESEARCH_INSTRUCTIONS}::test_another_member_of_the_branch_sees_only_that_an_instruction_exists_and_its_level",)),
    Guard("research: an import of outputs is all or nothing", "branchwork/research/importer.py",
          '    with transaction.atomic(), audit.acting_as(by, source="import"):',
          '    with audit.acting_as(by, source="import"):',
          ("branchwork/research/tests/test_import.py::test_a_refusal_by_a_service_rolls_back_the_rows_written_before_it",)),
    Guard("research: an overdue follow-up is reminded once a day", "branchwork/research/tasks.py",
          "            .exclude(reminded_on=today))", "            )",
          (f"{RESEARCH_INSTRUCTIONS}::test_overdue_follow_ups_are_reminded_through_the_task_once_a_day",)),
    # International exchanges.
    Guard("exchanges: an import never overwrites a field staff edited", EXCHANGES_IMPORT,
          "                if name in party.staff_edited:", "                if False:",
          (f"{EXCHANGES_IMPORT_TESTS}::test_a_field_edited_by_staff_survives_reimport_and_the_conflict_is_reported",)),
    Guard("exchanges: a party file with a problem is refused whole", EXCHANGES_IMPORT,
          "    problems = reader.problems + (link_reader.problems if link_reader else [])\n    if problems:",
          "    problems = reader.problems + (link_reader.problems if link_reader else [])\n    if False:",
          (f"{EXCHANGES_IMPORT_TESTS}::test_a_broken_row_refuses_the_whole_file_naming_row_and_column",)),
    Guard("exchanges: a ParlGov file with a problem is refused whole", EXCHANGES_IMPORT,
          "    if problems:\n        raise ImportRefused(problems)\n    return records\n",
          "    return records\n",
          (f"{EXCHANGES_IMPORT_TESTS}::test_parlgov_refuses_a_party_of_a_country_it_does_not_list",)),
    Guard("exchanges: contacts only for foreign-affairs staff and event managers",
          "branchwork/exchanges/permissions.py",
          "    events = visible_events(user)\n    return Contact.objects.filter(",
          "    return Contact.objects.all()\n    return Contact.objects.filter(",
          (f"{EXCHANGES_PAGES}::test_members_get_404_for_contacts_events_and_participants",)),
    Guard("exchanges: events only for foreign-affairs staff and their managers",
          "branchwork/exchanges/permissions.py",
          "    if person_id is None:\n        return Event.objects.none()",
          "    return Event.objects.all()",
          (f"{EXCHANGES_PAGES}::test_members_get_404_for_contacts_events_and_participants",)),
    Guard("exchanges: only foreign-affairs staff create events", "branchwork/exchanges/views.py",
          '    if not permissions.can(request.user, "create", Event):\n        raise Http404("Not foreign-affairs staff")',
          '    if False:\n        raise Http404("Not foreign-affairs staff")',
          (f"{EXCHANGES_PAGES}::test_foreign_affairs_staff_create_an_event_others_get_404",)),
    Guard("exchanges: a second scan is said and not counted twice",
          EXCHANGES_SERVICES, "    if participant.presences.filter(day=day, session=session).exists():\n"
          "        return participant, False",
          "    if False:\n        return participant, False",
          (f"{EXCHANGES_PAGES}::test_a_second_scan_is_said_and_not_counted_twice",
           f"{EXCHANGES_PROGRAMME}::test_the_scan_endpoint_checks_in_once_and_says_the_repeat")),
    Guard("exchanges: a letter's approval locks the row and reads it afresh", EXCHANGES_LETTERS,
          "    letter = lock_for_update(letter)\n    if letter.state != LetterState.DRAFT:",
          "    if letter.state != LetterState.DRAFT:",
          (f"{EXCHANGES_LETTER_TESTS}::test_a_second_approval_read_before_the_first_is_refused",)),
    Guard("exchanges: no one approves a letter they drafted", EXCHANGES_LETTERS,
          "    if letter.drafted_by_id == by.pk:", "    if False:",
          (f"{EXCHANGES_LETTER_TESTS}::test_the_drafter_cannot_approve_her_own_letter",)),
    Guard("exchanges: only foreign-affairs staff approve letters", EXCHANGES_LETTERS,
          "    if not rules.is_foreign_affairs(by):", "    if False:",
          (f"{EXCHANGES_LETTER_TESTS}::test_an_event_manager_who_is_not_foreign_affairs_staff_cannot_approve",)),
    Guard("exchanges: a draft letter is not downloaded", "branchwork/exchanges/views_programme.py",
          "    if letter.state != LetterState.APPROVED:\n        raise Http404", "    if False:\n        raise Http404",
          (f"{EXCHANGES_LETTER_TESTS}::test_a_draft_cannot_be_downloaded_or_sent",
           f"{EXCHANGES_LETTER_TESTS}::test_a_changed_template_sends_approved_letters_back_for_approval")),
    Guard("exchanges: a draft letter is not sent", EXCHANGES_LETTERS,
          "    letter = lock_for_update(letter)\n    require_approved(letter)", "    letter = lock_for_update(letter)",
          (f"{EXCHANGES_LETTER_TESTS}::test_a_draft_cannot_be_downloaded_or_sent",)),
    Guard("exchanges: an invitation's answer locks the participant and reads it afresh", EXCHANGES_PROGRAMME_SERVICES,
          "        participant = lock_for_update(invitation.participant)",
          "        participant = invitation.participant",
          (f"{EXCHANGES_INVITATIONS}::test_an_answer_read_before_the_guest_was_checked_in_is_refused",)),
    Guard("exchanges: an invitation's link expires after the event", EXCHANGES_PROGRAMME_SERVICES,
          "        if today > event.ends_on:\n            raise Conflict", "        if False:\n            raise Conflict",
          (f"{EXCHANGES_INVITATIONS}::test_the_link_expires_after_the_event",
           f"{EXCHANGES_INVITATIONS}::test_the_last_day_of_the_event_still_takes_an_answer")),
    Guard("exchanges: an invitation's token is checked", EXCHANGES_PROGRAMME_SERVICES,
          "        pk = int(signing.Signer(salt=TOKEN_SALT).unsign(token))",
          "        pk = int(token.split(\":\")[0])",
          (f"{EXCHANGES_INVITATIONS}::test_a_wrong_or_altered_token_is_404",)),
    Guard("exchanges: passport data kept until the retention date, not a day less",
          EXCHANGES_SERVICES, "retention_until__lt=today", "retention_until__lte=today",
          (f"{EXCHANGES_PAGES}::test_passport_data_is_gone_after_the_retention_date_and_the_log_says_so",)),
    Guard("exchanges: passport data purged after the retention date",
          EXCHANGES_SERVICES, 'passport_number="", date_of_birth=None, passport_purged_on=today',
          "passport_purged_on=today",
          (f"{EXCHANGES_PAGES}::test_passport_data_is_gone_after_the_retention_date_and_the_log_says_so",)),
    Guard("exchanges: a badge with a character no font has is refused", "branchwork/exchanges/badges.py",
          "    if missing:\n        raise MissingGlyphs(missing)", "    if False:\n        raise MissingGlyphs(missing)",
          ("branchwork/exchanges/tests/test_badges.py::test_a_name_no_font_can_print_is_refused",)),
    # Exchanges: outbound delegations, the figures, the activity's panel.
    Guard("exchanges: a trip is approved once", TRIPS,
          "        if trip.status != TripStatus.APPLIED:\n            raise Conflict(",
          "        if False:\n            raise Conflict(",
          (f"{TRIP_TESTS}::test_a_trip_is_approved_once",)),
    Guard("exchanges: a trip files its report only after the approval", TRIPS,
          "        if trip.status == TripStatus.APPLIED:", "        if False:",
          (f"{TRIP_TESTS}::test_a_report_waits_for_the_approval",)),
    Guard("exchanges: a follow-up item is closed once", TRIPS,
          "        if item.done_on is not None:", "        if False:",
          (f"{TRIP_TESTS}::test_a_follow_up_is_closed_once_and_keeps_its_first_date",)),
    Guard("exchanges: trips only for staff, their managers, members and owners",
          "branchwork/exchanges/permissions.py",
          "    if person_id is None:\n        return Trip.objects.none()",
          "    return Trip.objects.all()",
          (f"{TRIP_TESTS}::test_others_get_404_and_the_anonymous_log_in",)),
    Guard("exchanges: an owner closes her own follow-up item, not another's",
          "branchwork/exchanges/permissions.py",
          "(person_id is not None and item.owner_id == person_id)", "(person_id is not None)",
          (f"{TRIP_TESTS}::test_an_owner_closes_her_item_but_not_another",)),
    Guard("exchanges: the figures only for foreign-affairs staff and event managers",
          "branchwork/exchanges/permissions.py",
          "def may_see_figures(user) -> bool:\n    return manages_any_event(user)",
          "def may_see_figures(user) -> bool:\n    return True",
          ("branchwork/exchanges/tests/test_figures.py::test_members_get_404_for_the_figures",)),
    Guard("exchanges: an activity names its foreign observers only to those who see the event",
          "branchwork/exchanges/panels.py", "    shown = [e for e in events if e.pk in visible]",
          "    shown = events",
          ("branchwork/tests/test_exchange_activity_link.py::"
           "test_a_member_sees_how_many_guests_observed_but_not_who",)),
    Guard("permissions: a cached reader is read afresh after a role or organization changes",
          "branchwork/core/apps.py", "    access_changed()\n\n\ndef _status_changed",
          "    pass\n\n\ndef _status_changed",
          (f"{READER}::test_a_role_ended_is_seen_on_the_next_request",
           f"{READER}::test_a_role_given_is_seen_on_the_next_request")),
    Guard("permissions: a moved organization's readers are read afresh", "branchwork/core/services.py",
          "    access_changed()  # the tree's paths moved", "    pass  # the tree's paths moved",
          (f"{READER}::test_a_closed_organization_and_a_move_are_seen_on_the_next_request",)),
    # Search (issue 17): who may find a document is in the index; each part of the match has a test.
    Guard("search: the reader's tokens are part of the match", "branchwork/search/selectors.py",
          '        match += " AND readers : (" + _fts5_tokens(tokens.readers) + ")"', "        pass",
          ("branchwork/search/tests/test_permissions.py::test_branch_a_internal_text_never_reaches_carol_nor_its_counts_and_facets",)),
    Guard("search: view restrictions (gate tokens) are part of the match", "branchwork/search/selectors.py",
          '            match += " AND gate : (" + _fts5_tokens(tokens.gates) + ")"', "            pass",
          ("branchwork/search/tests/test_permissions.py::test_view_restrictions_hold_in_search",)),
    Guard("search: checked documents are asked of the policy", "branchwork/search/selectors.py",
          '            where = " AND " + where', '            where = ""',
          ("branchwork/search/tests/test_documents.py",)),
    Guard("search: an internal article carries its readers' tokens, not everyone's",
          "branchwork/search/kinds.py", '        if getattr(page, "is_internal", False):', "        if False:",
          ("branchwork/search/tests/test_permissions.py::test_internal_articles_stay_hidden_from_anonymous_visitors",)),
    Guard("search: a changed view restriction reindexes the pages under it", "branchwork/search/signals.py",
          "        reindex_subtree.enqueue(str(page_id))", "        pass",
          ("branchwork/search/tests/test_permissions.py::test_a_view_restriction_holds_for_visitors_from_their_next_search",
           "branchwork/search/tests/test_permissions.py::test_tokens_follow_a_change_of_the_documents_restriction")),
    Guard("search: an organization's move reindexes what is under it", "branchwork/search/signals.py",
          "    reindex_organization.enqueue(str(instance.object_id))", "    pass",
          ("branchwork/search/tests/test_permissions.py::test_tokens_follow_an_organization_that_moves",)),
    Guard("core: prepared queries with a permission clause are kept per reader fingerprint",
          "branchwork/lectures/selectors.py",
          '("lectures.next_talks", permissions.reader(user).fingerprint, limit)',
          '("lectures.next_talks", limit)',
          ("branchwork/tests/test_prepared.py::test_my_page_never_shows_roles_that_ended",)),
    Guard("core: a restore forgets what the cache held of the replaced database",
          "branchwork/core/management/commands/restore.py", "        cache.clear()\n", "",
          ("branchwork/core/tests/test_restore_cache.py",)),
    # Awards and competitions: states in order under the lock, eligibility, conflicts, blindness.
    Guard("awards: a state change reads the competition afresh under the lock", AWARDS,
          "        lock_for_update(competition)\n        if NEXT.get(competition.status) != to:",
          "        if NEXT.get(competition.status) != to:",
          (f"{AWARDS_TESTS}::test_state_changes_follow_each_other_and_read_the_row_afresh",)),
    Guard("awards: a competition's states follow each other", AWARDS,
          "        if NEXT.get(competition.status) != to:\n            raise Conflict(",
          "        if False:\n            raise Conflict(",
          (f"{AWARDS_TESTS}::test_state_changes_follow_each_other_and_read_the_row_afresh",
           f"{AWARDS_TESTS}::test_mean_results_are_published_per_entry_as_awards_and_in_excel")),
    Guard("awards: entries and scores read the competition's state afresh under the lock", AWARDS,
          "    lock_for_update(competition)\n    if competition.status not in states:",
          "    if competition.status not in states:",
          (f"{AWARDS_TESTS}::test_state_changes_follow_each_other_and_read_the_row_afresh",)),
    Guard("awards: scores are given only while scoring", AWARDS,
          "        _locked(competition, [CompetitionStatus.SCORING],",
          "        _locked(competition, list(CompetitionStatus),",
          (f"{AWARDS_TESTS}::test_scores_are_checked_against_the_criteria_and_given_only_while_scoring",)),
    Guard("awards: an ineligible entry is refused with the rules named", AWARDS,
          "    if failures:\n        raise eligibility.IneligibleEntry(failures)",
          "    if False:\n        raise eligibility.IneligibleEntry(failures)",
          (f"{AWARDS_TESTS}::test_an_entrant_over_the_age_limit_on_the_closing_date_is_refused_with_the_rule_named",
           f"{AWARDS_TESTS}::test_membership_entry_kind_and_entrants_rules_name_themselves")),
    Guard("awards: a judge never scores a conflicting entry", AWARDS,
          "        if reason is not None:\n            raise JudgeConflicted(",
          "        if False:\n            raise JudgeConflicted(",
          (f"{AWARDS_TESTS}::test_a_judge_never_scores_an_own_entry_an_own_organizations_or_a_declared_one",)),
    Guard("awards: an entry of the judge's own organization is a conflict", AWARDS,
          "    if any(path.startswith(org_path) or org_path.startswith(path) for path in judge_paths):",
          "    if False:",
          (f"{AWARDS_TESTS}::test_a_judge_never_scores_an_own_entry_an_own_organizations_or_a_declared_one",)),
    Guard("awards: a blind judge's score sheet names no entrant", "branchwork/awards/views_judging.py",
          "        if not competition.blind:\n            row +=",
          "        if True:\n            row +=",
          (f"{AWARDS_PAGES}::test_blind_scoring_hides_names_in_every_page_and_export_of_the_judges",)),
    Guard("awards: entries are the managers' and entrants' until results are published",
          "branchwork/awards/permissions.py",
          "competition__status=CompetitionStatus.PUBLISHED)",
          ")",
          (f"{AWARDS_TESTS}::test_a_draft_competitions_entries_are_the_managers_until_results_are_published",
           f"{AWARDS_PAGES}::test_every_page_of_the_app_walked_as_every_persona_hides_the_entrants")),
    Guard("awards edits: a competition's settings stay fixed once it opens", AWARDS_EDITS,
          "        if fixed and competition.status != CompetitionStatus.DRAFT:",
          "        if False:",
          (f"{AWARDS_EDIT_TESTS}::test_settings_change_while_a_draft_and_stay_fixed_once_open",)),
    Guard("awards edits: an edit based on an older version is refused", AWARDS_EDITS,
          "    if base_version != record.version:", "    if False:",
          (f"{AWARDS_EDIT_TESTS}::test_an_award_is_edited_and_deleted_by_its_recorders_and_a_stale_edit_is_refused",
           f"{AWARDS_EDIT_TESTS}::test_a_settings_edit_on_a_stale_copy_is_refused_after_reading_the_row_afresh")),
    Guard("awards edits: an award's edit reads the row afresh under the lock", AWARDS_EDITS,
          "        lock_for_update(award)\n        _check_version(award, base_version)\n        for name",
          "        _check_version(award, base_version)\n        for name",
          (f"{AWARDS_EDIT_TESTS}::test_an_award_is_edited_and_deleted_by_its_recorders_and_a_stale_edit_is_refused",)),
    Guard("awards edits: entries change only while the competition is open", AWARDS_EDITS,
          "        _locked(competition, [CompetitionStatus.OPEN],\n                _(\"Entries can be changed",
          "        _locked(competition, list(CompetitionStatus),\n                _(\"Entries can be changed",
          (f"{AWARDS_EDIT_TESTS}::test_an_entry_is_changed_by_its_entrant_while_open_and_refused_after_closing",)),
    # Search: research work and exchanges under their pages' rules.
    Guard("search: a restricted output is not read by its organization's readers", SEARCH_WORK,
          '        if output.classification == "restricted":', "        if False:",
          (f"{SEARCH_WORK_TESTS}::test_a_restricted_output_is_found_by_its_readers_only",)),
    Guard("search: an instruction's text is for its readers, not the output's", SEARCH_WORK,
          "                   *_by_role(INSTRUCTION_READER_ROLES, _org_path(output.organization_id))]",
          "                   *access.org_readers(_org_path(output.organization_id))]",
          (f"{SEARCH_WORK_TESTS}::test_an_instructions_text_is_found_only_by_those_who_may_read_it",)),
    Guard("search: a classified output is indexed without its text", SEARCH_WORK,
          "        if not output.is_classified:\n            parts.append", "        if True:\n            parts.append",
          (f"{SEARCH_WORK_TESTS}::test_a_classified_output_is_found_by_its_metadata_only",)),
    Guard("search: contacts are for foreign-affairs staff and their events' managers", SEARCH_WORK,
          '        return Filing(kind="contact", readers=(access.SUPERUSERS, FOREIGN_AFFAIRS,',
          '        return Filing(kind="contact", readers=(access.SUPERUSERS, access.MEMBERS, FOREIGN_AFFAIRS,',
          (f"{SEARCH_WORK_TESTS}::test_contacts_are_found_by_foreign_affairs_staff_and_the_events_managers_only",)),
    Guard("search: a change of an event's managers reindexes its contacts", "branchwork/search/signals.py",
          '        ("exchanges.Contact", _pks("exchanges.Participant", "contact_id", event_id=row.pk))],',
          "    ],",
          (f"{SEARCH_WORK_TESTS}::test_the_index_follows_event_managers_participants_and_parties",)),
    # Research onto the portal: who, and what.
    Guard("research: only the coordinator or secretary publishes to the portal", RESEARCH_PORTAL,
          "    if not can_publish(by, output):", "    if False:",
          (f"{RESEARCH_PORTAL_TESTS}::test_others_may_not_publish",)),
    Guard("research: only a public output goes to the portal", RESEARCH_PORTAL,
          "    if output.classification != Classification.PUBLIC:", "    if False:",
          (f"{RESEARCH_PORTAL_TESTS}::test_only_a_public_output_goes_to_the_portal_and_the_refusal_says_why",)),
    Guard("research: only a public channel takes a research output", RESEARCH_PORTAL,
          "    if not channel.live or channel.get_view_restrictions():", "    if False:",
          (f"{RESEARCH_PORTAL_TESTS}::test_a_restricted_channel_and_a_second_publication_are_refused",)),
    Guard("research: the portal's pages are the coordinator's and the secretary's",
          "branchwork/research/portal_views.py",
          "    if not portal.can_publish(request.user, output):\n        raise Http404", "    if False:\n        raise Http404",
          (f"{RESEARCH_PORTAL_PAGES}::test_others_who_see_the_output_see_no_portal_panel_and_get_404",)),
    Guard("research: restricted and classified outputs are not proposed for the journal", RESEARCH_PORTAL,
          "    if output.classification in (Classification.RESTRICTED, Classification.CLASSIFIED):",
          "    if False:",
          (f"{RESEARCH_PORTAL_TESTS}::test_restricted_and_classified_outputs_are_not_proposed",)),
]


def locate(guard: Guard, root: Path) -> tuple[Path | None, int]:
    """The file holding the guard's text, and how often it is there. A guard's path may name a
    package (ending in "/"): its text is then looked for in every module of the package, so that
    splitting a module by topic does not move its guards' entries."""
    path = root / guard.path
    files = sorted(path.rglob("*.py")) if guard.path.endswith("/") else [path]
    counts = {f: f.read_text(encoding="utf-8").count(guard.guard) for f in files if f.is_file()}
    holding = [f for f, n in counts.items() if n]
    if len(holding) == 1:
        return holding[0], counts[holding[0]]
    return (None, sum(counts.values())) if counts else (None, -1)


def run(guard: Guard, scratch: Path, env: dict) -> tuple[bool, str]:
    """Apply one mutation in the scratch copy, run its tests; True if a test failed."""
    target, found = locate(guard, scratch)
    if target is None or found != 1:
        return False, f"the guard's text is not found exactly once in {guard.path}"
    original = target.read_text(encoding="utf-8")
    target.write_text(original.replace(guard.guard, guard.without), encoding="utf-8")
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-n", os.environ.get("GUARDS_JOBS", "2"),
             *guard.tests],
            cwd=scratch, env=env, capture_output=True, text=True, timeout=1800,
        )
    finally:
        target.write_text(original, encoding="utf-8")
    tail = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    return result.returncode != 0, (tail[0] if tail else result.stdout.strip().splitlines()[-1])


def stale() -> list[str]:
    """Guards whose text is no longer in their file exactly once, or whose tests are gone: a
    guard moved or rewritten without its entry here. Quick (no test runs); the suite calls it
    (branchwork/tests/test_guards_listed.py), so that the list cannot silently rot."""
    problems = []
    for guard in GUARDS:
        target, found = locate(guard, ROOT)
        if found == -1:
            problems.append(f"{guard.name}: no file {guard.path}")
            continue
        if found != 1:
            problems.append(f"{guard.name}: its text is in {guard.path} {found} times, not once")
        for test in guard.tests:
            file, _sep, name = test.partition("::")
            test_path = ROOT / file
            if not test_path.is_file():
                problems.append(f"{guard.name}: no test file {file}")
            elif name and f"def {name.split('[')[0]}(" not in test_path.read_text(encoding="utf-8"):
                problems.append(f"{guard.name}: no test {name} in {file}")
    return problems


def main(argv: list[str]) -> int:
    if argv[1:2] == ["--check"]:
        problems = stale()
        print("\n".join(problems) or f"all {len(GUARDS)} guards are in place")
        return 1 if problems else 0
    wanted = argv[1] if len(argv) > 1 else ""
    postgres = bool(os.environ.get("DATABASE_URL"))
    guards = [g for g in GUARDS if wanted in g.name and (postgres or not g.postgres_only)]
    with tempfile.TemporaryDirectory(prefix="branchwork-guards-") as tmp:
        scratch = Path(tmp)
        shutil.copytree(ROOT / "branchwork", scratch / "branchwork",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "pyproject.toml", scratch / "pyproject.toml")
        shutil.copytree(ROOT / "rulebooks", scratch / "rulebooks")
        env = dict(os.environ, PYTHONPATH=str(scratch))
        unnoticed = []
        for guard in guards:
            caught, detail = run(guard, scratch, env)
            print(f"{'caught  ' if caught else 'MISSED  '} {guard.name}\n         {detail}",
                  flush=True)
            if not caught:
                unnoticed.append(guard.name)
    print(f"\n{len(guards) - len(unnoticed)} of {len(guards)} guards are noticed by a test.")
    return 1 if unnoticed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
