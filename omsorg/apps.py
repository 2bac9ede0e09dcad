from __future__ import annotations

from django.apps import AppConfig


class OmsorgConfig(AppConfig):
    name = "omsorg"
    verbose_name = "Omsorg: kartlegging og Bli kjent"

    def ready(self) -> None:
        from customers import hooks
        from omsorg.services import (
            interviews_cancel_for_recipient,
            omsorg_anonymise_for_recipient,
            omsorg_export_for_recipient,
        )

        hooks.on_recipient_end(interviews_cancel_for_recipient)
        hooks.on_recipient_pause(interviews_cancel_for_recipient)
        hooks.on_recipient_anonymise(omsorg_anonymise_for_recipient)
        hooks.export_section(omsorg_export_for_recipient)
