from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from seniorene.accounts.models import User


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = "Besøk"

    def ready(self) -> None:
        from customers import hooks
        from visits.hooks import (
            visits_anonymise_for_recipient,
            visits_export_for_recipient,
            visits_stop_for_recipient,
        )

        hooks.on_recipient_end(visits_stop_for_recipient)
        hooks.on_recipient_pause(visits_stop_for_recipient)
        hooks.on_recipient_anonymise(visits_anonymise_for_recipient)
        hooks.export_section(visits_export_for_recipient)
        from visits.notebook import notebook_section

        hooks.page_section(notebook_section)

        from visits.follow_up import follow_up_section
        from visits.replies import replies_section

        # Issue 21: replies nobody has handled (messaging cannot import visits).
        follow_up_section(replies_section)

        from seniorene.home import home_panel
        from visits.agenda_lines import agenda_line
        from visits.home import leader_home_panel, seniorposten_agenda_line

        # Issue 22: the leader's "I dag" on the start page; Seniorposten on the agenda.
        home_panel(leader_home_panel)
        agenda_line(seniorposten_agenda_line)

        from omsorg.hooks import on_senior_busy
        from visits.conflicts import visits_clashing

        on_senior_busy(visits_clashing)

        from visits import audit_sentences

        audit_sentences.register()  # its audit events in plain words

        from allauth.account.signals import password_changed, password_reset, password_set

        # Whoever knew the old password may have copied the calendar address: a new one.
        password_changed.connect(_rotate_calendar_feeds, dispatch_uid="visits.calendar.changed")
        password_set.connect(_rotate_calendar_feeds, dispatch_uid="visits.calendar.set")
        password_reset.connect(_rotate_calendar_feeds, dispatch_uid="visits.calendar.reset")


def _rotate_calendar_feeds(sender: object, request: object, user: User, **kwargs: object) -> None:
    from visits.calendar_feed import calendar_feeds_rotate_for_user

    calendar_feeds_rotate_for_user(user_id=user.pk, reason="password_changed")
