from __future__ import annotations

from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "seniorene.sms"
    label = "sms"
    verbose_name = "SMS"

    def ready(self) -> None:
        from customers import hooks
        from seniorene.sms import services

        hooks.on_recipient_end(services.cancel_on_recipient_stop)
        hooks.on_recipient_pause(services.cancel_on_recipient_stop)
        hooks.on_recipient_anonymise(services.anonymise_for_recipient)
        hooks.export_section(services.export_for_recipient)
