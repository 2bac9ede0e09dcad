from __future__ import annotations

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class SenioreneConfig(AppConfig):
    name = "seniorene"
    verbose_name = "Seniorene Omsorg"

    def ready(self) -> None:
        from seniorene.db import use_compiled_timestamps

        connection_created.connect(use_compiled_timestamps, dispatch_uid="compiled_timestamps")
