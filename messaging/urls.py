from __future__ import annotations

from django.urls import path

from messaging import views

app_name = "sms"

urlpatterns = [
    path("sms/utboks/", views.outbox, name="outbox"),
    path("sms/mitt-samtykke/", views.my_consent, name="my_consent"),
    path("sms/svar/<int:pk>/behandlet/", views.reply_handle, name="reply_handle"),
    path("sms/ukjente-avsendere/", views.unknown_senders, name="unknown_senders"),
    path(
        "sms/ukjente-avsendere/<int:pk>/behandlet/",
        views.unknown_handle,
        name="unknown_handle",
    ),
    path("sms/twilio/status/", views.twilio_status, name="twilio_status"),
    path("sms/twilio/inbound/", views.twilio_inbound, name="twilio_inbound"),
]
