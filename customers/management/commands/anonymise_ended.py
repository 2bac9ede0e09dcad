"""Anonymise ended recipients whose retention period has passed (also a nightly job)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from customers.services import recipient_anonymise, recipients_due_for_anonymisation
from seniorene.accounts.models import Organization
from seniorene.accounts.tenancy import tenant_context


class Command(BaseCommand):
    help = "Anonymise recipients ended longer ago than RETENTION_DAYS_AFTER_END."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["date"]:
            try:
                day = datetime.strptime(options["date"], "%Y-%m-%d").date()  # noqa: DTZ007
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD") from exc
            now = timezone.make_aware(datetime.combine(day, time(12)))
        total = 0
        for org_id in Organization.objects.values_list("pk", flat=True):
            with tenant_context(org_id):
                for recipient in recipients_due_for_anonymisation(organization_id=org_id, now=now):
                    recipient_anonymise(recipient=recipient)
                    total += 1
        self.stdout.write(f"Anonymised {total} recipient(s).")
