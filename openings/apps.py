from __future__ import annotations

from django.apps import AppConfig


class OpeningsConfig(AppConfig):
    """Jobs offered to seniors (ledige jobber): opting in, open jobs, answers, the choice."""

    name = "openings"
    verbose_name = "Ledige jobber"
