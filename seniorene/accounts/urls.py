from __future__ import annotations

from django.urls import path

from seniorene.accounts import views

app_name = "accounts"

urlpatterns = [
    path("organisasjon/bytt/", views.switch_organization, name="switch_organization"),
    path("medarbeidere/", views.members, name="members"),
    path("medarbeidere/<int:pk>/", views.member_edit, name="member_edit"),
    path("medarbeidere/<int:pk>/aktiv/", views.member_set_active, name="member_set_active"),
    path("invitasjoner/", views.invitations, name="invitations"),
    path(
        "invitasjoner/<int:pk>/trekk-tilbake/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "invitasjoner/<int:pk>/send-igjen/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path("invitasjon/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("avdelinger/", views.departments, name="departments"),
    path("avdelinger/<int:pk>/", views.department_edit, name="department_edit"),
]
