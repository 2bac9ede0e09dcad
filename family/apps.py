from __future__ import annotations

from django.apps import AppConfig


class FamilyConfig(AppConfig):
    """The relative's own page (issue 21): visits, shared notebook, contact, consents, and
    cancelling or asking to move a visit; the leader's side of those requests."""

    name = "family"
    verbose_name = "Pårørendesiden"

    def ready(self) -> None:
        from customers import hooks
        from family.hooks import (
            card_section,
            follow_up_section,
            requests_anonymise_for_recipient,
            requests_export_for_recipient,
        )
        from visits.follow_up import follow_up_section as on_follow_up

        hooks.on_recipient_anonymise(requests_anonymise_for_recipient)
        hooks.export_section(requests_export_for_recipient)
        hooks.page_section(card_section)
        on_follow_up(follow_up_section)
        from family import audit_sentences

        audit_sentences.register()  # its audit events in plain words
