from __future__ import annotations

from django.urls import path

from omsorg import views

app_name = "omsorg"

urlpatterns = [
    path("brukere/<int:pk>/kartlegging/", views.screening, name="screening"),
    path("brukere/<int:pk>/bli-kjent/ny/", views.book_interview, name="book"),
    path("bli-kjent/<int:pk>/", views.interview_detail, name="interview"),
    path("bli-kjent/<int:pk>/endre/", views.meeting_change, name="meeting_change"),
    path("bli-kjent/<int:pk>/flytt/", views.meeting_move, name="meeting_move"),
    path("bli-kjent/<int:pk>/avlys/", views.meeting_cancel, name="meeting_cancel"),
    path("bli-kjent/<int:pk>/pdf/", views.interview_pdf, name="pdf"),
    path("bli-kjent/<int:pk>/pdf/lag-paa-nytt/", views.interview_pdf_retry, name="pdf_retry"),
    path("bli-kjent/<int:pk>/skjema/", views.interview_fill, name="fill"),
    path("bli-kjent/tomt-skjema.pdf", views.blank_form_pdf, name="blank_pdf"),
    path("mine-bli-kjent/", views.my_interviews, name="mine"),
    path("bli-kjent/<int:pk>/kontaktet/", views.recontact_done, name="recontact_done"),
    path("bli-kjent/varsel/<int:pk>/sett/", views.leader_notice_seen, name="leader_notice_seen"),
    path("varsler/", views.notifications, name="notifications"),
    path("varsler/<int:pk>/gjennomgatt/", views.notification_review, name="review"),
    path("tjenesteomrader/", views.service_areas, name="service_areas"),
    path("tjenesteomrader/<int:pk>/", views.service_areas, name="service_area_edit"),
    path("kriterier/", views.criteria, name="criteria"),
    path("kriterier/<int:pk>/", views.criteria, name="criterion_edit"),
    path("tall/inntak/", views.funnel, name="funnel"),
    path("tall/inntak.csv", views.funnel_csv, name="funnel_csv"),
]
