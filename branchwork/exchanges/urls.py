from django.urls import path

from branchwork.exchanges import views, views_figures, views_programme, views_trips

app_name = "exchanges"

urlpatterns = [
    path("exchanges/", views.index, name="index"),
    path("exchanges/parties/", views.party_list, name="parties"),
    path("exchanges/parties/<int:party_id>/", views.party, name="party"),
    path("exchanges/parties/<int:party_id>/edit/", views.party_edit, name="party_edit"),
    path("exchanges/contacts/", views.contact_list, name="contacts"),
    path("exchanges/contacts/<int:contact_id>/", views.contact, name="contact"),
    path("exchanges/events/new/", views.event_new, name="event_new"),
    path("exchanges/events/<int:event_id>/", views.event, name="event"),
    path("exchanges/events/<int:event_id>/participants.xlsx", views.participants_xlsx, name="participants_xlsx"),
    path("exchanges/events/<int:event_id>/import/", views.participants_import, name="participants_import"),
    path("exchanges/events/<int:event_id>/badges.pdf", views.badges_pdf, name="badges"),
    path("exchanges/events/<int:event_id>/checkin/", views.checkin, name="checkin"),
    path("exchanges/events/<int:event_id>/checkin/scan/", views_programme.checkin_scan, name="checkin_scan"),
    path("exchanges/events/<int:event_id>/programme/", views_programme.programme, name="programme"),
    path("exchanges/events/<int:event_id>/sessions/new/", views_programme.session_edit, name="session_new"),
    path("exchanges/events/<int:event_id>/sessions/<int:session_id>/", views_programme.session_edit,
         name="session_edit"),
    path("exchanges/events/<int:event_id>/sessions/<int:session_id>/delete/", views_programme.session_delete,
         name="session_delete"),
    path("exchanges/events/<int:event_id>/invitations/", views_programme.invitations, name="invitations"),
    path("exchanges/invitations/<str:token>/", views_programme.invitation, name="invitation"),
    path("exchanges/events/<int:event_id>/letters/", views_programme.letters, name="letters"),
    path("exchanges/events/<int:event_id>/letters/<int:letter_id>/approve/", views_programme.letter_approve,
         name="letter_approve"),
    path("exchanges/events/<int:event_id>/letters/<int:letter_id>/send/", views_programme.letter_send,
         name="letter_send"),
    path("exchanges/events/<int:event_id>/letters/<int:letter_id>.pdf", views_programme.letter_pdf,
         name="letter_pdf"),
]

# Outbound delegations and the figures (views_trips, views_figures).
urlpatterns += [
    path("exchanges/trips/", views_trips.trip_list, name="trips"),
    path("exchanges/trips/new/", views_trips.trip_new, name="trip_new"),
    path("exchanges/trips/<int:trip_id>/", views_trips.trip, name="trip"),
    path("exchanges/follow-ups/<int:trip_item_id>/close/", views_trips.follow_up_close, name="follow_up_close"),
    path("exchanges/figures/", views_figures.figures_page, name="figures"),
    path("exchanges/figures.xlsx", views_figures.figures_xlsx, name="figures_xlsx"),
    path("exchanges/figures/map.svg", views_figures.figures_map, name="figures_map"),
    path("exchanges/parties/<int:party_id>/timeline.svg", views_figures.party_timeline_svg, name="party_timeline"),
]
