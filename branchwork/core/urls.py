from django.urls import path

from branchwork.core import views

app_name = "core"

urlpatterns = [
    path("my/", views.my_page, name="my"),
    path("prefs/text-size/", views.set_text_size, name="set_text_size"),
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/<slug:org_code>/", views.org_detail, name="org"),
    path("orgs/<slug:org_code>/people/", views.org_people, name="org_people"),
    path("orgs/<slug:org_code>/people/export.xlsx", views.org_people_export, name="org_people_export"),
    path("orgs/<slug:org_code>/people/add/", views.person_add, name="person_add"),
    path("orgs/<slug:org_code>/roles/add/", views.role_add, name="role_add"),
    path("orgs/<slug:org_code>/roles/<int:membership_id>/edit/", views.role_edit, name="role_edit"),
    path("orgs/<slug:org_code>/audit/", views.org_audit, name="org_audit"),
    path("orgs/<slug:org_code>/audit/export.xlsx", views.org_audit_export, name="org_audit_export"),
    path("people/<int:person_id>/", views.person_detail, name="person"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/status/add/", views.status_add, name="status_add"),
    path("people/<int:person_id>/status/<int:change_id>/", views.status_edit, name="status_edit"),
]
