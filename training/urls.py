from __future__ import annotations

from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("opplaering/", views.my_training, name="my_training"),
    path("opplaering/taushetserklaering/", views.declaration, name="declaration"),
    path("opplaering/moduler/<int:pk>/", views.module_detail, name="module"),
    path("opplaering/moduler/<int:pk>/fullfort/", views.module_complete, name="module_complete"),
    path("opplaering/moduler/<int:pk>/video/", views.module_video, name="module_video"),
    path("opplaering/moduler/<int:pk>/utskrift.pdf", views.module_pdf, name="module_pdf"),
    path("opplaering/innhold/", views.manage, name="manage"),
    path("opplaering/innhold/standard/", views.seed_defaults, name="seed_defaults"),
    path("opplaering/innhold/ny/", views.module_create, name="module_create"),
    path("opplaering/innhold/<int:pk>/", views.module_edit, name="module_edit"),
    path("opplaering/oversikt/", views.overview, name="overview"),
    path("opplaering/oversikt.csv", views.overview_csv, name="overview_csv"),
    path("teamsmoter/", views.meetings, name="meetings"),
    path("teamsmoter/<int:pk>/", views.meeting_edit, name="meeting_edit"),
    path("teamsmoter/<int:pk>/send/", views.meeting_send_now, name="meeting_send_now"),
    path("teamsmoter/<int:pk>/oppmote/", views.meeting_attendance, name="meeting_attendance"),
    # Issue 22: Seniorposten, the monthly letter; the leader's pages, then the senior's.
    path("seniorposten/skriv/", views.posten_manage, name="posten_manage"),
    path("seniorposten/skriv/ny/", views.posten_create, name="posten_create"),
    path("seniorposten/skriv/<int:pk>/", views.posten_edit, name="posten_edit"),
    path(
        "seniorposten/skriv/<int:pk>/forhandsvisning/",
        views.posten_preview,
        name="posten_preview",
    ),
    path("seniorposten/skriv/<int:pk>/send/", views.posten_send, name="posten_send"),
    path("seniorposten/", views.posten_mine, name="posten_mine"),
    path("seniorposten/<int:pk>/", views.posten_issue, name="posten_issue"),
]
