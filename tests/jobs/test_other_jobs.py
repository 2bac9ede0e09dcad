"""The jobs of earlier issues, now scheduled and recorded: plan expansion, the watchdog,
retention (anonymisation) and the retry of missing interview PDFs."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from customers import services as customer_services
from customers.models import CareRecipient, RecipientStatus
from omsorg.models import IntakeInterview, PdfStatus
from seniorene.jobs.models import JobRun, RunStatus
from seniorene.jobs.services import job_execute
from tests.factories import CareRecipientFactory, IntakeInterviewFactory, VisitPlanFactory
from tests.jobs.conftest import oslo
from tests.training.helpers import clear_for_assignment
from visits.models import Visit

pytestmark = pytest.mark.django_db


def run(cast, job: str, **kwargs):
    return job_execute(organization_id=cast.organization.pk, job=job, **kwargs)


@time_machine.travel(oslo(2026, 3, 16, 1, 30), tick=False)
def test_plan_expansion_makes_the_visits_once_and_records_the_run(world):
    clear_for_assignment(world.home.senior_a)
    recipient = CareRecipientFactory(department=world.home.dept_a, status=RecipientStatus.ACTIVE)
    VisitPlanFactory(
        recipient=recipient, senior=world.home.senior_a, first_date=dt.date(2026, 3, 1)
    )
    first = run(world.home, "expand_plans")
    assert first["handled"] == Visit.objects.count() > 0
    assert run(world.home, "expand_plans")["handled"] == 0
    assert JobRun.objects.filter(job="expand_plans", status=RunStatus.OK).count() == 2
    assert Visit.objects.filter(starts_at=oslo(2026, 3, 17, 11, 0)).exists()


def test_the_watchdog_e_mails_each_leader_once_a_day(world):
    CareRecipientFactory(department=world.home.dept_a, status=RecipientStatus.ACTIVE)
    run(world.home, "watchdog")
    run(world.home, "watchdog")
    assert [m.to for m in mail.outbox] == [[world.home.leader_a.user.email]]


def test_retention_anonymises_recipients_ended_longer_ago_than_the_retention_period(world):
    ended = CareRecipientFactory(department=world.home.dept_a, name="Astrid Ende")
    customer_services.recipient_change_status(
        recipient=ended, by=world.home.leader_a, to_status="ended", reason="Flyttet"
    )
    kept = CareRecipientFactory(department=world.home.dept_a, name="Aktiv Person")
    assert run(world.home, "retention")["handled"] == 0
    later = timezone.now() + dt.timedelta(days=settings.RETENTION_DAYS_AFTER_END + 1)
    with time_machine.travel(later):
        assert run(world.home, "retention", now=later)["handled"] == 1
        assert run(world.home, "retention", now=later)["handled"] == 0
    assert "Astrid" not in CareRecipient.objects.get(pk=ended.pk).name
    assert CareRecipient.objects.get(pk=kept.pk).name == "Aktiv Person"
    # Job runs older than 90 days are forgotten by the same job; the latest stay.
    assert JobRun.objects.filter(started_at__lt=later - dt.timedelta(days=90)).count() == 0
    assert JobRun.objects.count() == 2


def test_a_completed_interview_without_its_pdf_is_rendered_again(world, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    clear_for_assignment(world.home.senior_a)
    recipient = CareRecipientFactory(department=world.home.dept_a, seniors=[world.home.senior_a])
    interview = IntakeInterviewFactory(recipient=recipient, senior=world.home.senior_a)
    completed = timezone.now() - dt.timedelta(hours=1)
    IntakeInterview.objects.filter(pk=interview.pk).update(
        status="completed", completed_at=completed, pdf_status=PdfStatus.FAILED
    )
    fresh = IntakeInterviewFactory(recipient=recipient, senior=world.home.senior_a)
    IntakeInterview.objects.filter(pk=fresh.pk).update(
        status="completed", completed_at=timezone.now(), pdf_status=PdfStatus.PENDING
    )
    assert run(world.home, "pdf_retry")["handled"] == 1  # the fresh one still has time
    interview.refresh_from_db()
    assert interview.pdf_status == PdfStatus.READY
    assert run(world.home, "pdf_retry")["handled"] == 0
