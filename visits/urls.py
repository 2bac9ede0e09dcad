from __future__ import annotations

from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("besok/uke/", views.week, name="week"),
    path("besok/planer/", views.plan_list, name="plan_list"),
    path("besok/folg-opp/", views.watchdog, name="watchdog"),
    path("besok/<int:pk>/", views.visit_detail, name="visit"),
    path("besok/<int:pk>/flytt/", views.visit_move, name="visit_move"),
    path("besok/<int:pk>/avlys/", views.visit_cancel, name="visit_cancel"),
    path("besok/<int:pk>/ny-senior/", views.visit_reassign, name="visit_reassign"),
    path("brukere/<int:pk>/besok/", views.recipient_plans, name="plans"),
    path("brukere/<int:pk>/besok/ny-plan/", views.plan_create, name="plan_create"),
    path("besoksplaner/<int:pk>/", views.plan_edit, name="plan_edit"),
    path("besoksplaner/<int:pk>/avslutt/", views.plan_end, name="plan_end"),
    path("seniorer/<int:pk>/tilgjengelighet/", views.availability, name="availability"),
    path(
        "seniorer/<int:pk>/kalender/ny-lenke/",
        views.senior_calendar_reset,
        name="senior_calendar_reset",
    ),
    path("mine-besok/", views.agenda, name="agenda"),
    path("mine-besok/<int:pk>/", views.my_visit, name="my_visit"),
    path("mine-besok/<int:pk>/for/", views.visit_log, name="visit_log"),
    path("mine-besok/<int:pk>/for/utkast/", views.visit_log_draft, name="visit_log_draft"),
    path("mine-besok/<int:pk>/fremme/", views.check_in, name="check_in"),
    path("mine-besok/<int:pk>/tilbakemelding/", views.feedback, name="feedback"),
    path("mine-besok/kalender/", views.calendar, name="calendar"),
    path("mine-besok/kalender/ny-lenke/", views.calendar_reset, name="calendar_reset"),
    path("kalender/<str:token>.ics", views.calendar_feed, name="ics"),
    path("utlegg/<int:pk>/kvittering/", views.receipt, name="receipt"),
    path("besok/sms-maler/", views.sms_templates, name="sms_templates"),
]
