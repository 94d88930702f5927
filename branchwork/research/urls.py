from django.urls import path

from branchwork.research import portal_views, views

app_name = "research"

_o = "orgs/<slug:org_code>/research/"
_out = _o + "outputs/<int:output_id>/"

urlpatterns = [
    path("research/outlets/", views.outlets, name="outlets"),
    path(_o, views.index, name="index"),
    path(_o + "figures/", views.figures, name="figures"),
    path(_o + "figures.xlsx", views.figures_xlsx, name="figures_xlsx"),
    path(_o + "publications/", views.publications, name="publications"),
    path(_o + "topics/new/", views.topic_new, name="topic_new"),
    path(_o + "topics/<int:topic_id>/", views.topic, name="topic"),
    path(_o + "topics/<int:topic_id>/edit/", views.topic_edit, name="topic_edit"),
    path(_o + "outputs/new/", views.output_new, name="output_new"),
    path(_out, views.output, name="output"),
    path(_out + "edit/", views.output_edit, name="output_edit"),
    path(_out + "text/", views.output_text, name="output_text"),
    path(_out + "versions/<int:number>/", views.version, name="version"),
    path(_out + "files/", views.output_file_add, name="output_file_add"),
    path(_out + "files/<int:file_id>/", views.output_file, name="output_file"),
    path(_out + "files/<int:file_id>/delete/", views.output_file_delete, name="output_file_delete"),
    path(_out + "rounds/", views.round_add, name="round_add"),
    path(_out + "submissions/", views.submission_add, name="submission_add"),
    path(_out + "submissions/<int:submission_id>/instructions/", views.instruction_add, name="instruction_add"),
    path(_out + "instructions/<int:instruction_id>/scan/", views.instruction_scan, name="instruction_scan"),
    path(_out + "instructions/<int:instruction_id>/follow-ups/", views.follow_up_add, name="follow_up_add"),
    path(_out + "follow-ups/<int:follow_up_id>/close/", views.follow_up_close, name="follow_up_close"),
    path(_out + "portal/", portal_views.publish, name="publish"),
    path(_out + "journal/", portal_views.propose, name="propose"),
    path(_out + "publications/", views.publication_add, name="publication_add"),
    path(_out + "publications/<int:publication_id>/clipping/", views.clipping, name="clipping"),
]
