from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created

# Bokmål alphabet order for SQLite: Æ, Ø, Å after Z (and Ä/Ö with Æ/Ø).
_LAST = str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}"})


def norwegian_key(text: str) -> str:
    return text.casefold().translate(_LAST)


def _norwegian_collation(a: str, b: str) -> int:
    ka, kb = norwegian_key(a), norwegian_key(b)
    return (ka > kb) - (ka < kb)


def _register_collation(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_collation("nb_no", _norwegian_collation)


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Brukere og kunder"

    def ready(self) -> None:
        connection_created.connect(_register_collation, dispatch_uid="customers_nb_collation")
        from customers import audit_sentences

        audit_sentences.register()  # its audit events in plain words
        from customers import hooks
        from customers.relative_access import relative_page_anonymise, relative_page_export

        # The relative's own page (issue 21): its links, devices and codes.
        hooks.on_recipient_anonymise(relative_page_anonymise)
        hooks.export_section(relative_page_export)
