from django.urls import path

from branchwork.learning import views

app_name = "learning"
ORG = "orgs/<slug:org_code>/learning/"

urlpatterns = [
    path(ORG, views.index, name="index"),
    path(ORG + "plans/new/", views.plan_new, name="plan_new"),
    path(ORG + "<int:year>/", views.plan, name="plan"),
    path(ORG + "<int:year>/items/new/", views.item_new, name="item_new"),
    path(ORG + "<int:year>/hours/", views.org_hours, name="org_hours"),
    path(ORG + "<int:year>/hours/export/", views.org_hours_export, name="org_hours_export"),
    path(ORG + "items/<int:item_id>/file/", views.item_file, name="item_file"),
    path(ORG + "items/<int:item_id>/edit/", views.item_edit, name="item_edit"),
    path(ORG + "items/<int:item_id>/delete/", views.item_delete, name="item_delete"),
    path(ORG + "courses/new/", views.course_new, name="course_new"),
    path("my/learning/", views.my_learning, name="my"),
    path("my/learning/<int:year>/", views.my_learning, name="my_year"),
    path("my/learning/notes/new/", views.note_new, name="note_new"),
    path("my/learning/training/new/", views.training_new, name="training_new"),
    path("learning/notes/<int:note_id>/", views.note, name="note"),
    path("learning/notes/<int:note_id>/edit/", views.note_edit, name="note_edit"),
    path("learning/training/<int:training_id>/", views.training, name="training"),
    path("learning/training/<int:training_id>/evidence/", views.training_evidence, name="evidence"),
    path("learning/training/<int:training_id>/approve/", views.training_approve, name="approve"),
    path("learning/training/<int:training_id>/return/", views.training_return, name="return"),
    path("learning/training/<int:training_id>/resubmit/", views.training_resubmit, name="resubmit"),
]
