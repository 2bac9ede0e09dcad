"""Run one job by hand, for support and the demo: ``manage.py run_job reminders --date …``."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from seniorene.accounts.models import Organization
from seniorene.jobs.registry import job_names
from seniorene.jobs.services import JobTransientError, job_execute


class Command(BaseCommand):
    help = (
        "Run a background job now, in this process, for every organization (or one). "
        "Safe to repeat: nothing is sent twice."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("job", choices=job_names())
        parser.add_argument(
            "--date",
            help="The day the job is about, YYYY-MM-DD (reminders: the visits' day; "
            "default: the job's own day, e.g. tomorrow for reminders).",
        )
        parser.add_argument(
            "--at",
            help="Act as if it were this Oslo time, YYYY-MM-DDTHH:MM (late start, nudges).",
        )
        parser.add_argument("--organization", type=int, help="Only this organization id.")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["date"]:
            try:
                day = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD") from exc
        now = None
        if options["at"]:
            try:
                now = timezone.make_aware(datetime.fromisoformat(options["at"]))
            except ValueError as exc:
                raise CommandError("--at must be YYYY-MM-DDTHH:MM") from exc
        ids = list(Organization.objects.values_list("pk", flat=True).order_by("pk"))
        if options["organization"]:
            if options["organization"] not in ids:
                raise CommandError("no such organization")
            ids = [options["organization"]]
        for organization_id in ids:
            try:
                result: dict[str, Any] = job_execute(
                    organization_id=organization_id,
                    job=options["job"],
                    day=day,
                    now=now,
                    trigger="manual",
                )
            except JobTransientError as exc:
                result = {"retry": str(exc)}
            self.stdout.write(
                json.dumps({"organization": organization_id, "job": options["job"], **result})
            )
