from __future__ import annotations

from django.urls import URLPattern, path

from openings.views import overview

app_name = "openings"

urlpatterns: list[URLPattern] = [
    path("seniorer/oversikt/", overview.senior_overview, name="senior_overview"),
]
