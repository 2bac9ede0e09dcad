from __future__ import annotations

from django.apps import AppConfig


class OpeningsConfig(AppConfig):
    """Jobs offered to seniors (ledige jobber): opting in, open jobs, answers, the choice."""

    name = "openings"
    verbose_name = "Ledige jobber"

    def ready(self) -> None:
        from openings.senior_selectors import agenda_jobs_line
        from visits.agenda_lines import agenda_line

        # The senior's agenda says "2 ledige jobber" (visits does not import openings).
        agenda_line(agenda_jobs_line)
