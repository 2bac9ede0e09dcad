from __future__ import annotations

from django.apps import AppConfig


class QualityConfig(AppConfig):
    """Quality, at a glance (issue 22): the figures page, and its headline on the start
    page of admin and the lead."""

    name = "quality"
    verbose_name = "Kvalitet"

    def ready(self) -> None:
        from quality.panels import headline_panel
        from seniorene.home import home_panel

        home_panel(headline_panel)
