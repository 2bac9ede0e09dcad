from __future__ import annotations

from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    """The relatives' evaluation: three questions by SMS link, answers to the leader."""

    name = "evaluations"
    verbose_name = "Evaluering"

    def ready(self) -> None:
        from customers import hooks
        from evaluations.hooks import (
            card_section,
            evaluations_anonymise_for_recipient,
            evaluations_close_for_recipient,
            evaluations_export_for_recipient,
            follow_up_section,
        )
        from visits.follow_up import follow_up_section as on_follow_up

        hooks.on_recipient_end(evaluations_close_for_recipient)
        hooks.on_recipient_anonymise(evaluations_anonymise_for_recipient)
        hooks.export_section(evaluations_export_for_recipient)
        hooks.page_section(card_section)
        on_follow_up(follow_up_section)
        from evaluations import audit_sentences

        audit_sentences.register()  # its audit events in plain words
