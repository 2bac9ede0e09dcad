from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "seniorene.audit"
    label = "audit"
    verbose_name = "Revisjonslogg"

    def ready(self) -> None:
        from seniorene.audit import core_sentences

        # The core's own events; each app describes its own from its ready().
        core_sentences.register()
