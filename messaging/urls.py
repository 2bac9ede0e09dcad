from __future__ import annotations

from django.urls import path

from messaging import views

app_name = "sms"

urlpatterns = [
    path("sms/utboks/", views.outbox, name="outbox"),
    path("sms/mitt-samtykke/", views.my_consent, name="my_consent"),
    path("sms/twilio/status/", views.twilio_status, name="twilio_status"),
    path("sms/twilio/inbound/", views.twilio_inbound, name="twilio_inbound"),
]
