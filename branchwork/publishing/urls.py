from django.urls import path

from branchwork.publishing import feeds, views

app_name = "publishing"

urlpatterns = [
    path("contribute/", views.contribute, name="contribute"),
    path("my/contributions/", views.my_contributions, name="my_contributions"),
    path("my/contributions/<int:page_id>/", views.my_contribution, name="my_contribution"),
    path("my/contributions/<int:page_id>/revise/", views.my_contribution_revise,
         name="my_contribution_revise"),
    path("portal/images/<int:image_id>/<str:size>/", views.image, name="image"),
    path("portal/feeds/<int:channel_id>/", feeds.ChannelFeed(), name="channel_feed"),
    path("portal/tags/<str:tag>/", views.tag, name="tag"),
]
