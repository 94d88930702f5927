from django.urls import path

from branchwork.exchanges import views

app_name = "exchanges"

urlpatterns = [
    path("exchanges/", views.index, name="index"),
    path("exchanges/parties/", views.party_list, name="parties"),
    path("exchanges/parties/<int:party_id>/", views.party, name="party"),
    path("exchanges/parties/<int:party_id>/edit/", views.party_edit, name="party_edit"),
    path("exchanges/contacts/", views.contact_list, name="contacts"),
    path("exchanges/contacts/<int:contact_id>/", views.contact, name="contact"),
    path("exchanges/events/<int:event_id>/", views.event, name="event"),
    path("exchanges/events/<int:event_id>/participants.xlsx", views.participants_xlsx, name="participants_xlsx"),
    path("exchanges/events/<int:event_id>/import/", views.participants_import, name="participants_import"),
    path("exchanges/events/<int:event_id>/badges.pdf", views.badges_pdf, name="badges"),
    path("exchanges/events/<int:event_id>/checkin/", views.checkin, name="checkin"),
]
