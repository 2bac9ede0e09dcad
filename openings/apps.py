from __future__ import annotations

from django.apps import AppConfig


class OpeningsConfig(AppConfig):
    """Jobs offered to seniors (ledige jobber): opting in, open jobs, answers, the choice."""

    name = "openings"
    verbose_name = "Ledige jobber"

    def ready(self) -> None:
        from customers import hooks
        from openings.hooks import (
            card_section,
            follow_up_section,
            openings_anonymise_for_recipient,
            openings_export_for_recipient,
        )
        from openings.services import openings_withdraw_for_recipient
        from visits.follow_up import follow_up_section as on_follow_up

        hooks.on_recipient_end(openings_withdraw_for_recipient)
        hooks.on_recipient_pause(openings_withdraw_for_recipient)
        hooks.on_recipient_anonymise(openings_anonymise_for_recipient)
        hooks.export_section(openings_export_for_recipient)
        hooks.page_section(card_section)
        on_follow_up(follow_up_section)
        from openings import audit_sentences

        audit_sentences.register()  # its audit events in plain words

        from openings.senior_selectors import agenda_jobs_line
        from visits.agenda_lines import agenda_line

        # The senior's agenda says "2 ledige jobber" (visits does not import openings).
        agenda_line(agenda_jobs_line)
