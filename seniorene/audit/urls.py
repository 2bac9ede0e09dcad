from __future__ import annotations

from django.urls import path

from seniorene.audit import views

app_name = "audit"

urlpatterns = [
    path("logg/", views.log, name="log"),
]
