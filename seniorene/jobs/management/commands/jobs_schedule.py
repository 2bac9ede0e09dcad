"""Create the jobs' beat schedule (idempotent; the migration does the same)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from seniorene.jobs.schedule import schedule_install


class Command(BaseCommand):
    help = "Create the missing periodic tasks of the jobs (Europe/Oslo); --reset restores all."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Also restore tasks changed by hand."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        written = schedule_install(
            CrontabSchedule,
            PeriodicTask,
            interval_model=IntervalSchedule,
            reset=options["reset"],
        )
        self.stdout.write(f"{written} periodic task(s) written.")
