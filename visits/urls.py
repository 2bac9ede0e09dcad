from __future__ import annotations

from django.urls import path

from visits.views import (
    absences,
    agenda,
    calendar,
    corrections,
    feedback,
    offline,
    plans,
    receipts,
    single,
    visit_log,
    week,
)

app_name = "visits"

urlpatterns = [
    path("besok/uke/", week.week, name="week"),
    path("besok/planer/", plans.plan_list, name="plan_list"),
    path("besok/folg-opp/", week.watchdog, name="watchdog"),
    path("besok/<int:pk>/", single.visit_detail, name="visit"),
    path("besok/<int:pk>/flytt/", single.visit_move, name="visit_move"),
    path("besok/<int:pk>/avlys/", single.visit_cancel, name="visit_cancel"),
    path("besok/<int:pk>/ny-senior/", single.visit_reassign, name="visit_reassign"),
    path("besok/<int:pk>/for-senioren/", single.visit_log_on_behalf, name="visit_log_on_behalf"),
    path("besok/<int:pk>/lukk/", single.visit_close, name="visit_close"),
    path("besok/<int:pk>/rett/", corrections.visit_correct_view, name="visit_correct"),
    path("besok/<int:pk>/timer-sett/", single.many_hours_seen, name="many_hours_seen"),
    path("brukere/<int:pk>/besok/", plans.recipient_plans, name="plans"),
    path("brukere/<int:pk>/besok/ny-plan/", plans.plan_create, name="plan_create"),
    path("besoksplaner/<int:pk>/", plans.plan_edit, name="plan_edit"),
    path("besoksplaner/<int:pk>/avslutt/", plans.plan_end, name="plan_end"),
    path("seniorer/<int:pk>/tilgjengelighet/", week.availability, name="availability"),
    path("seniorer/<int:pk>/borte/", absences.senior_absences, name="senior_absences"),
    path("besok/borte/<int:pk>/", absences.absence_reassign_view, name="absence_reassign"),
    path("besok/borte/<int:pk>/slett/", absences.absence_delete_view, name="absence_delete"),
    path(
        "seniorer/<int:pk>/kalender/ny-lenke/",
        calendar.senior_calendar_reset,
        name="senior_calendar_reset",
    ),
    path("mine-besok/", agenda.agenda, name="agenda"),
    path("mine-besok/tidligere/", agenda.past_visits, name="past_visits"),
    path("mine-besok/hvem-ringer-jeg/", agenda.who_to_call, name="who_to_call"),
    path("mine-besok/<int:pk>/", agenda.my_visit, name="my_visit"),
    path("mine-besok/nar-kan-jeg/", absences.my_availability, name="my_availability"),
    path("mine-besok/borte/", absences.my_absences, name="my_absences"),
    path("mine-besok/borte/<int:pk>/slett/", absences.my_absence_delete, name="my_absence_delete"),
    path("mine-besok/<int:pk>/for/", visit_log.visit_log, name="visit_log"),
    path("mine-besok/<int:pk>/rett/", corrections.my_visit_correct, name="my_visit_correct"),
    path("mine-besok/<int:pk>/for/utkast/", visit_log.visit_log_draft, name="visit_log_draft"),
    path("mine-besok/<int:pk>/fremme/", visit_log.check_in, name="check_in"),
    path("mine-besok/<int:pk>/tilbakemelding/", feedback.feedback, name="feedback"),
    path("mine-besok/kalender/", calendar.calendar, name="calendar"),
    path("mine-besok/kalender/ny-lenke/", calendar.calendar_reset, name="calendar_reset"),
    path("kalender/<str:token>.ics", calendar.calendar_feed, name="ics"),
    path("utlegg/<int:pk>/kvittering/", receipts.receipt, name="receipt"),
    path("besok/sms-maler/", feedback.sms_templates, name="sms_templates"),
    # The app on the phone: the service worker must be served from the root (its scope).
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("uten-nett/", offline.offline, name="offline"),
]
