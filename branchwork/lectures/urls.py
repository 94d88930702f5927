from django.urls import path

from branchwork.lectures import views

app_name = "lectures"

urlpatterns = [
    path("lectures/", views.index, name="index"),
    path("lectures/new/", views.talk_new, name="talk_new"),
    path("lectures/series/new/", views.series_new, name="series_new"),
    path("lectures/series/<int:series_id>/", views.series, name="series"),
    path("lectures/series/<int:series_id>/edit/", views.series_edit, name="series_edit"),
    path("lectures/<int:talk_id>/", views.talk, name="talk"),
    path("lectures/<int:talk_id>/edit/", views.talk_edit, name="talk_edit"),
    path("lectures/<int:talk_id>/delete/", views.talk_delete, name="talk_delete"),
    path("lectures/<int:talk_id>/slides/", views.talk_file, {"kind": "slides"}, name="slides"),
    path("lectures/<int:talk_id>/recording/", views.talk_file, {"kind": "recording"}, name="recording"),
]
