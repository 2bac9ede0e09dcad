from __future__ import annotations

from django.urls import path

from seniorene.jobs import views

app_name = "jobs"

urlpatterns = [
    path("jobber/", views.runs, name="runs"),
]
