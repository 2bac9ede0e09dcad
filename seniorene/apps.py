from __future__ import annotations

from django.apps import AppConfig


class SenioreneConfig(AppConfig):
    name = "seniorene"
    verbose_name = "Seniorene Omsorg"
