from __future__ import annotations

from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = "Besøk"

    def ready(self) -> None:
        from customers import hooks
        from visits import services

        hooks.on_recipient_end(services.visits_stop_for_recipient)
        hooks.on_recipient_pause(services.visits_stop_for_recipient)
        hooks.on_recipient_anonymise(services.visits_anonymise_for_recipient)
        hooks.export_section(services.visits_export_for_recipient)
