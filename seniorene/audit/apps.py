from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "seniorene.audit"
    label = "audit"
    verbose_name = "Revisjonslogg"
