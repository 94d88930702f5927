from django.urls import path

from branchwork.journal import views

app_name = "journal"

J = "journal/<slug:journal_slug>/"
I = J + "<int:year>/<int:number>/"

urlpatterns = [
    path("journal/", views.index, name="index"),
    path(J, views.journal, name="journal"),
    path(J + "new/", views.issue_new, name="issue_new"),
    path(I, views.issue, name="issue"),
    path(I + "edit/", views.issue_edit, name="issue_edit"),
    path(I + "delete/", views.issue_delete, name="issue_delete"),
    path(I + "publish/", views.publish, name="publish"),
    path(I + "reopen/", views.reopen, name="reopen"),
    path(I + "sections/add/", views.section_add, name="section_add"),
    path(I + "sections/<int:section_id>/", views.section_edit, name="section_edit"),
    path(I + "sections/<int:section_id>/delete/", views.section_delete, name="section_delete"),
    path(I + "articles/new/", views.entry_new, name="entry_new"),
    path(I + "articles/<int:entry_id>/", views.entry_edit, name="entry_edit"),
    path(I + "articles/<int:entry_id>/delete/", views.entry_delete, name="entry_delete"),
    path(I + "images/<int:image_id>/", views.image, name="image"),
    path(I + "pdf/", views.pdf, name="pdf"),
    path(I + "pdf/<int:build_id>/status.json", views.pdf_status, name="pdf_status"),
    path(I + "pdf/<int:build_id>/download/", views.pdf_download, name="pdf_download"),
]
