from __future__ import annotations

from django.urls import URLPattern, path

from evaluations import views

app_name = "evaluations"

urlpatterns: list[URLPattern] = [
    # Public: the link in the SMS (no login; the secret is the key, rate-limited).
    path("evaluering/<str:token>/", views.answer, name="answer"),
    path("evaluering/<str:token>/takk/", views.thanks, name="thanks"),
    # The leader, from *Følg opp*.
    path("avdeling/evaluering/<int:pk>/lest/", views.mark_read, name="mark_read"),
]
