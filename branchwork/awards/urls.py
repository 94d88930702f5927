from django.urls import path

from branchwork.awards import views, views_edit, views_judging

app_name = "awards"

_o = "orgs/<slug:org_code>/awards/"
_c = _o + "competitions/<int:competition_id>/"
_e = _c + "entries/<int:entry_id>/"
_j = _c + "judging/"

urlpatterns = [
    path(_o, views.index, name="index"),
    path(_o + "new/", views.award_new, name="award_new"),
    path(_o + "<int:award_id>/", views.award, name="award"),
    path(_o + "<int:award_id>/edit/", views_edit.award_edit, name="award_edit"),
    path(_o + "<int:award_id>/delete/", views_edit.award_delete, name="award_delete"),
    path(_o + "competitions/new/", views.competition_new, name="competition_new"),
    path(_c, views.competition, name="competition"),
    path(_c + "edit/", views_edit.competition_edit, name="competition_edit"),
    path(_c + "rules/", views.rule_add, name="rule_add"),
    path(_c + "rules/<int:rule_id>/remove/", views_edit.rule_remove, name="rule_remove"),
    path(_c + "criteria/", views.criterion_add, name="criterion_add"),
    path(_c + "criteria/<int:criterion_id>/", views_edit.criterion_edit, name="criterion_edit"),
    path(_c + "criteria/<int:criterion_id>/remove/", views_edit.criterion_remove, name="criterion_remove"),
    path(_c + "prizes/", views.prize_set, name="prize_set"),
    path(_c + "judges/", views.judge_add, name="judge_add"),
    path(_c + "state/", views.advance, name="advance"),
    path(_c + "enter/", views.enter, name="enter"),
    path(_c + "results.xlsx", views.results_xlsx, name="results_xlsx"),
    path(_e, views.entry, name="entry"),
    path(_e + "edit/", views_edit.entry_edit, name="entry_edit"),
    path(_e + "file/", views.entry_file, name="entry_file"),
    path(_j, views_judging.judging, name="judging"),
    path(_c + "judging.xlsx", views_judging.judging_xlsx, name="judging_xlsx"),
    path(_j + "<int:entry_id>/", views_judging.judging_entry, name="judging_entry"),
    path(_j + "<int:entry_id>/conflict/", views_judging.declare_conflict, name="declare_conflict"),
    path(_j + "<int:entry_id>/file/", views_judging.judging_file, name="judging_file"),
]
