from __future__ import annotations

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = "Timer, kilometer og utlegg"

    def ready(self) -> None:
        from ledger import audit_sentences

        audit_sentences.register()  # its audit events in plain words
