from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "seniorene.jobs"
    label = "jobs"
    verbose_name = "Jobber"

    def ready(self) -> None:
        """Import each installed app's ``jobs`` module: it registers the app's jobs."""
        autodiscover_modules("jobs")
