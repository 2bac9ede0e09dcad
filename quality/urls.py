from __future__ import annotations

from django.urls import URLPattern, path

from quality import views

app_name = "quality"

urlpatterns: list[URLPattern] = [
    path("tall/kvalitet/", views.page, name="page"),
    path("tall/kvalitet.csv", views.page_csv, name="csv"),
]
