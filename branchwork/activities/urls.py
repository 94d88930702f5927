from django.urls import path

from branchwork.activities import views, views_elections, views_import

app_name = "activities"

A = "orgs/<slug:org_code>/activities/<int:activity_id>/"

urlpatterns = [
    path("orgs/<slug:org_code>/activities/", views.activity_list, name="list"),
    path("orgs/<slug:org_code>/activities/export.xlsx", views.activity_export, name="export"),
    path("orgs/<slug:org_code>/activities/new/", views.activity_new, name="new"),
    path("orgs/<slug:org_code>/activities/import/", views_import.import_activities, name="import"),
    path("orgs/<slug:org_code>/activities/import/<int:job_id>/", views_import.import_job,
         name="import_job"),
    path(A, views.activity_detail, name="detail"),
    path(A + "edit/", views.activity_edit, name="edit"),
    path(A + "cancel/", views.activity_cancel, name="cancel"),
    path(A + "attendance/", views.attendance_edit, name="attendance"),
    path(A + "attendance/<int:attendance_id>/makeup/", views.makeup, name="makeup"),
    path(A + "minutes/", views.minutes_edit, name="minutes"),
    path(A + "submit/", views.minutes_submit, name="submit"),
    path(A + "approve/", views.minutes_approve, name="approve"),
    path(A + "return/", views.minutes_return, name="return"),
    path(A + "amend/", views.activity_amend, name="amend"),
    path(A + "attachments/", views.attachment_add, name="attachment_add"),
    path(A + "attachments/<int:attachment_id>/", views.attachment_file, name="attachment"),
    path(A + "attachments/<int:attachment_id>/remove/", views.attachment_remove,
         name="attachment_remove"),
    path(A + "elections/new/", views_elections.election_new, name="election_new"),
    path(A + "elections/<int:election_id>/", views_elections.election_detail, name="election"),
    path(A + "elections/<int:election_id>/votes/", views_elections.election_votes,
         name="election_votes"),
    path(A + "elections/<int:election_id>/report/", views_elections.election_report,
         name="election_report"),
    path(A + "elections/<int:election_id>/approve/", views_elections.election_approve,
         name="election_approve"),
    path(A + "checkin/", views.checkin_screen, name="checkin_screen"),
    path(A + "checkin/status.json", views.checkin_status, name="checkin_status"),
    path("my/attendance/", views.my_attendance, name="my_attendance"),
    path("my/calendar/new-address/", views.rotate_my_feed, name="rotate_my_feed"),
    path("orgs/<slug:org_code>/plan/", views.year_plan, name="plan"),
    path("orgs/<slug:org_code>/compliance/", views.compliance, name="compliance"),
    path("orgs/<slug:org_code>/compliance/branches/", views.committee_table, name="committee"),
    path("orgs/<slug:org_code>/compliance/branches/export.xlsx", views.committee_export,
         name="committee_export"),
]
