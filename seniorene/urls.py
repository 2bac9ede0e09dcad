from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from seniorene import views

urlpatterns = [
    path("", views.front, name="front"),
    path("hjem/", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("konto/", include("allauth.urls")),
    path("", include("seniorene.accounts.urls")),
    path("", include("seniorene.audit.urls")),
    path("", include("customers.urls")),
    path("", include("omsorg.urls")),
    path("", include("training.urls")),
    path("", include("visits.urls")),
    path("", include("openings.urls")),
    path("", include("family.urls")),
    path("", include("evaluations.urls")),
    path("", include("quality.urls")),
    path("", include("ledger.urls")),
    path("", include("messaging.urls")),
    path("", include("seniorene.jobs.urls")),
    path("platform-admin/", admin.site.urls),
]
