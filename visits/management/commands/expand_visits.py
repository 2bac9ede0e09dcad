"""Make visits from the visit plans for the rolling horizon (also a nightly job)."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from seniorene.accounts.models import Organization
from seniorene.accounts.tenancy import tenant_context
from visits.civil_time import local_datetime
from visits.planning import plans_expand


class Command(BaseCommand):
    help = "Expand visit plans into visits for VISIT_HORIZON_WEEKS weeks (safe to repeat)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--date",
            help="Expand from this date (YYYY-MM-DD), as if the day had just begun.",
        )
        parser.add_argument("--organization", help="Only this organization (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        today, now = timezone.localdate(), timezone.now()
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD") from exc
            now = local_datetime(today, time(0))
        orgs = Organization.objects.order_by("pk")
        if options["organization"]:
            orgs = orgs.filter(slug=options["organization"])
            if not orgs.exists():
                raise CommandError("No organization with that slug.")
        for org in orgs:
            with tenant_context(org.pk):
                result = plans_expand(organization_id=org.pk, today=today, now=now)
            self.stdout.write(
                f"{org.slug}: {result.created} created, {result.updated} updated, "
                f"{result.restored} restored, {result.cancelled} cancelled"
            )
