"""Benchmark the reminder job end to end: ``manage.py bench_reminders --count 10000``.

Builds a throwaway organization with `count` consenting recipients and one visit each
tomorrow, runs the reminder job (queue, consent check, send through the outbox backend,
in this process), prints the figure as JSON and removes the organization again. The
figure goes into the benchmark report (`make bench`), never into a timed test.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from typing import Any
from unittest import mock

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from customers.models import CareRecipient, Consent, ConsentGiver, ConsentMethod, RecipientStatus
from messaging import services as messaging_services
from messaging.models import SmsMessage, SmsPurpose, SmsStatus
from messaging.services import status_callback_url
from seniorene.accounts.models import (
    Department,
    Membership,
    MembershipDepartment,
    Organization,
    Role,
    User,
)
from seniorene.accounts.tenancy import tenant_context
from seniorene.audit.models import AuditEvent
from seniorene.celery import app as celery_app
from seniorene.jobs.models import JobRun
from seniorene.jobs.services import job_execute
from visits.civil_time import local_datetime
from visits.models import Visit


class Command(BaseCommand):
    help = "Run the reminder job for COUNT visits through the outbox backend; print msgs/s."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--count", type=int, default=10_000)
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark rows.")

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["count"]
        day = timezone.localdate() + timedelta(days=1)
        organization = self._build(count, day)
        # One log line per send would measure the console, not the job.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True  # each send runs here, after its commit
        try:
            with override_settings(SMS_BACKEND="outbox"):
                self._warm_up()
                statements = 0

                def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
                    nonlocal statements
                    statements += 1
                    return execute(sql, params, many, context)

                # Time spent handing messages to the provider (the send tasks, run in this
                # process): the rest of the run is putting the reminders into the outbox.
                sending = 0.0
                send_many = messaging_services.sms_send_many

                def timed_send(**kwargs: Any) -> Any:
                    nonlocal sending
                    begun = time.perf_counter()
                    try:
                        return send_many(**kwargs)
                    finally:
                        sending += time.perf_counter() - begun

                started = time.perf_counter()
                with (
                    connection.execute_wrapper(counted),
                    mock.patch.object(messaging_services, "sms_send_many", timed_send),
                ):
                    result = job_execute(
                        organization_id=organization.pk,
                        job="reminders",
                        day=day,
                        trigger="bench",
                    )
                seconds = time.perf_counter() - started
            with tenant_context(organization.pk):
                sent = SmsMessage.objects.filter(
                    organization=organization, status=SmsStatus.SENT
                ).count()
        finally:
            celery_app.conf.task_always_eager = eager
            if not options["keep"]:
                self._remove(organization)
        self.stdout.write(
            json.dumps(
                {
                    "benchmark": "reminders",
                    "backend": "outbox",
                    "count": count,
                    "queued": result["handled"],
                    "sent": sent,
                    "seconds": round(seconds, 2),
                    "messages_per_second": round(sent / seconds, 1) if seconds else None,
                    # Into the outbox: consent checked, rows and audit written, sends excluded.
                    "queue_seconds": round(seconds - sending, 2),
                    "queued_per_second": (
                        round(result["handled"] / (seconds - sending), 1)
                        if seconds > sending
                        else None
                    ),
                    # SQL statements of the whole run (queue, consent, send, audit), per message
                    "statements": statements,
                    "statements_per_message": round(statements / count, 2) if count else None,
                }
            )
        )

    @staticmethod
    def _warm_up() -> None:
        """Do once what a running worker has long done: load the URL map (the send path
        builds a callback URL) and the broker's producer pool (an eager task takes a
        producer too), so the figure is the job's and not the first import's."""
        status_callback_url(0)
        with celery_app.producer_or_acquire():
            pass

    def _build(self, count: int, day: date) -> Organization:
        tag = uuid.uuid4().hex[:8]
        organization = Organization.objects.create(
            name=f"Benchmark {tag}", slug=f"bench-{tag}", quiet_hours_start=0, quiet_hours_end=24
        )
        with tenant_context(organization.pk):
            department = Department.objects.create(organization=organization, name="Benchmark")
            user = User.objects.create_user(email=f"bench-{tag}@bench.invalid", name="Bench Senior")
            senior = Membership.objects.create(
                organization=organization, user=user, role=Role.SENIOR
            )
            MembershipDepartment.objects.create(
                organization=organization, membership=senior, department=department
            )
            recipients = CareRecipient.objects.bulk_create(
                [
                    CareRecipient(
                        organization=organization,
                        department=department,
                        name=f"Bruker {n}",
                        date_of_birth=date(1935, 1, 1),
                        address="Benkgata 1",
                        postal_code="0450",
                        city="Oslo",
                        phone=f"+4799{n:06d}",
                        status=RecipientStatus.ACTIVE,
                    )
                    for n in range(count)
                ],
                batch_size=1000,
            )
            Consent.objects.bulk_create(
                [
                    Consent(
                        organization=organization,
                        recipient=r,
                        purpose=SmsPurpose.REMINDER_SMS,
                        given_by=ConsentGiver.RECIPIENT,
                        method=ConsentMethod.VERBAL,
                        recorded_by=user,
                    )
                    for r in recipients
                ],
                batch_size=1000,
            )
            Visit.objects.bulk_create(
                [
                    Visit(
                        organization=organization,
                        recipient=r,
                        senior=senior,
                        starts_at=self._slot(day, n),
                        original_starts_at=self._slot(day, n),
                    )
                    for n, r in enumerate(recipients)
                ],
                batch_size=1000,
            )
        return organization

    @staticmethod
    def _slot(day: date, n: int) -> datetime:
        return local_datetime(day, dt_time(8)) + timedelta(minutes=n % 600)

    @staticmethod
    def _remove(organization: Organization) -> None:
        with tenant_context(organization.pk), transaction.atomic():
            for model in (SmsMessage, AuditEvent, JobRun, Visit, Consent, CareRecipient):
                model.objects.filter(organization=organization).delete()
            memberships = Membership.objects.filter(organization=organization)
            user_ids = list(memberships.values_list("user_id", flat=True))
            MembershipDepartment.objects.filter(organization=organization).delete()
            memberships.delete()
            Department.objects.filter(organization=organization).delete()
        User.objects.filter(pk__in=user_ids).delete()
        organization.delete()
