from __future__ import annotations

from django.urls import URLPattern, path

from family import views

app_name = "family"

urlpatterns: list[URLPattern] = [
    # The relative's own page, by the link in their SMS (public, rate-limited).
    path("p/ny-lenke/", views.new_link, name="new_link"),
    path("p/<str:token>/", views.page, name="page"),
    path("p/<str:token>/kode/", views.code_send, name="code_send"),
    path("p/<str:token>/kode/sjekk/", views.code_enter, name="code_enter"),
    path("p/<str:token>/ny-lenke/", views.link_resend, name="link_resend"),
    path("p/<str:token>/besok/<int:visit_pk>/", views.visit_change, name="visit_change"),
    path(
        "p/<str:token>/samtykke/<int:consent_pk>/trekk/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    # The leader's side: revoke a relative's links; answer a relative's request.
    path(
        "brukere/<int:pk>/parorende/<int:relative_pk>/side/trekk/",
        views.relative_link_revoke,
        name="relative_link_revoke",
    ),
    path("besok/onsker/<int:pk>/svar/", views.visit_request_answer, name="request_answer"),
]
