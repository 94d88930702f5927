from django.urls import path

from branchwork.journal import views

app_name = "journal"

J = "journal/<slug:journal_slug>/"
ISSUE = J + "<int:year>/<int:number>/"

urlpatterns = [
    path("journal/", views.index, name="index"),
    path(J, views.journal, name="journal"),
    path(J + "new/", views.issue_new, name="issue_new"),
    path(ISSUE, views.issue, name="issue"),
    path(ISSUE + "edit/", views.issue_edit, name="issue_edit"),
    path(ISSUE + "delete/", views.issue_delete, name="issue_delete"),
    path(ISSUE + "publish/", views.publish, name="publish"),
    path(ISSUE + "reopen/", views.reopen, name="reopen"),
    path(ISSUE + "sections/add/", views.section_add, name="section_add"),
    path(ISSUE + "sections/<int:section_id>/", views.section_edit, name="section_edit"),
    path(ISSUE + "sections/<int:section_id>/delete/", views.section_delete, name="section_delete"),
    path(ISSUE + "articles/new/", views.entry_new, name="entry_new"),
    path(ISSUE + "articles/<int:entry_id>/", views.entry_edit, name="entry_edit"),
    path(ISSUE + "articles/<int:entry_id>/delete/", views.entry_delete, name="entry_delete"),
    path(ISSUE + "images/<int:image_id>/", views.image, name="image"),
    path(ISSUE + "pdf/", views.pdf, name="pdf"),
    path(ISSUE + "pdf/<int:build_id>/status.json", views.pdf_status, name="pdf_status"),
    path(ISSUE + "pdf/<int:build_id>/download/", views.pdf_download, name="pdf_download"),
]
