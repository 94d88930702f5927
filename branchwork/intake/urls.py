"""Moderation pages, mounted under /admin/intake/ by wagtail_hooks (Wagtail's admin wrapper
requires a logged-in user with admin access; the views themselves require a moderator)."""

from django.urls import path

from branchwork.intake import views

app_name = "intake_admin"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:message_id>/", views.detail, name="detail"),
    path("<int:message_id>/release/", views.release, name="release"),
    path("<int:message_id>/discard/", views.discard, name="discard"),
    path("<int:message_id>/reprocess/", views.reprocess, name="reprocess"),
    path("<int:message_id>/message.eml", views.raw, name="raw"),
]
