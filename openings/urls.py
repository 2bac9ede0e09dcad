from __future__ import annotations

from django.urls import URLPattern

app_name = "openings"

urlpatterns: list[URLPattern] = []
