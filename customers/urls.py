from __future__ import annotations

from django.urls import path

from customers import partners, views

app_name = "customers"

urlpatterns = [
    path("brukere/", views.recipient_list, name="list"),
    path("brukere/ny/", views.recipient_create, name="create"),
    path("brukere/<int:pk>/", views.recipient_card, name="card"),
    path("brukere/<int:pk>/endre/", views.recipient_edit, name="edit"),
    path("brukere/<int:pk>/status/", views.recipient_status, name="status"),
    path("brukere/<int:pk>/kunde/", views.customer_edit, name="customer"),
    path("brukere/<int:pk>/parorende/ny/", views.relative_create, name="relative_create"),
    path(
        "brukere/<int:pk>/parorende/<int:relative_pk>/",
        views.relative_edit,
        name="relative_edit",
    ),
    path(
        "brukere/<int:pk>/parorende/<int:relative_pk>/gjor-til-kunde/",
        views.relative_make_customer,
        name="relative_make_customer",
    ),
    path("brukere/<int:pk>/samtykke/ny/", views.consent_create, name="consent_create"),
    path(
        "brukere/<int:pk>/samtykke/<int:consent_pk>/trekk/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("brukere/<int:pk>/innsyn/", views.recipient_export_page, name="export"),
    path("brukere/<int:pk>/innsyn.json", views.recipient_export_json, name="export_json"),
    path("mine-brukere/", views.my_recipients, name="mine"),
    path("samarbeidspartnere/", partners.partner_list, name="partners"),
    path("samarbeidspartnere/ny/", partners.partner_create, name="partner_create"),
    path("samarbeidspartnere/<int:pk>/", partners.partner_detail, name="partner"),
    path("samarbeidspartnere/<int:pk>/endre/", partners.partner_edit, name="partner_edit"),
    path(
        "samarbeidspartnere/<int:pk>/mote/ny/",
        partners.partner_meeting_add,
        name="partner_meeting_add",
    ),
    path("mine-brukere/<int:pk>/", views.my_recipient, name="my_card"),
]
