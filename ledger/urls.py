from __future__ import annotations

from django.urls import path

from ledger import views

app_name = "ledger"

urlpatterns = [
    path("besok/eksport/", views.export, name="export"),
    path("besok/eksport/for-hand/", views.manual_entry, name="manual_entry"),
    path("mine-besok/km-og-utlegg/", views.my_manual_entry, name="my_manual_entry"),
]
