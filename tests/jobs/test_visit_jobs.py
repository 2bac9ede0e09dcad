"""The visit jobs of issue 9, each run for one organization as beat would run it.

Every test runs a job twice, or checks that it may: a job run again sends nothing new.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from messaging.models import SmsAudience, SmsMessage, SmsPurpose, SmsStatus
from messaging.services import sms_queue, sms_send, staff_sms_consent_give
from seniorene.jobs.models import ClaimStatus, JobClaim, JobRun, JobSettings, RunStatus
from seniorene.jobs.services import JobTransientError, job_execute
from tests.jobs.conftest import oslo, recipient_in, visit_at
from tests.training.helpers import clear_for_assignment
from tests.training.mail_backends import RefusingBackend
from visits.changes import visit_cancel, visit_move
from visits.models import VisitStatus

pytestmark = pytest.mark.django_db

# Tuesday 10 March 2026 (winter time), the reminder job's hour.
EVENING = oslo(2026, 3, 10, 17, 0)
TOMORROW = dt.date(2026, 3, 11)


@pytest.fixture(autouse=True)
def clock():
    """The morning before: people, consents and visits are made then."""
    with time_machine.travel(oslo(2026, 3, 10, 8, 0), tick=False) as traveller:
        yield traveller


def run(world, job: str, *, now: dt.datetime, day=None, cast=None, callbacks=None):
    """Run `job` at `now`; with `callbacks` (the fixture), what it enqueues runs then too."""
    cast = cast or world.home
    with time_machine.travel(now, tick=False), (callbacks or nullcontext)(execute=True):
        return job_execute(organization_id=cast.organization.pk, job=job, day=day, now=now)


def nullcontext(**_kwargs):
    return contextlib.nullcontext()


# --- The day-before reminder -----------------------------------------------------------


def test_it_reminds_the_recipient_the_day_before_with_the_time_and_the_seniors_name(
    world, outbox_sms, django_capture_on_commit_callbacks
):
    visit = visit_at(world.home, oslo(2026, 3, 11, 11, 0))
    result = run(world, "reminders", now=EVENING, callbacks=django_capture_on_commit_callbacks)
    assert result == {"handled": 1, "skipped": 0, "failed": 0}
    message = SmsMessage.objects.get()
    assert (message.purpose, message.audience) == (SmsPurpose.REMINDER_SMS, SmsAudience.RECIPIENT)
    assert message.to_phone == "+4791234567"
    assert message.visit_id == visit.pk
    assert "onsdag 11. mars kl. 11.00" in message.body
    assert visit.senior.user.get_short_name() in message.body
    assert message.status == SmsStatus.SENT


def test_a_second_run_sends_no_second_reminder(
    world, outbox_sms, django_capture_on_commit_callbacks
):
    visit_at(world.home, oslo(2026, 3, 11, 11, 0))
    run(world, "reminders", now=EVENING, callbacks=django_capture_on_commit_callbacks)
    again = run(
        world,
        "reminders",
        now=EVENING + dt.timedelta(minutes=5),
        callbacks=django_capture_on_commit_callbacks,
    )
    assert again == {"handled": 0, "skipped": 1, "failed": 0}
    assert SmsMessage.objects.count() == 1
    runs = list(JobRun.objects.order_by("started_at").values_list("job", "status", "handled"))
    assert runs == [("reminders", RunStatus.OK, 1), ("reminders", RunStatus.OK, 0)]


def test_it_sends_no_reminder_without_consent_and_none_for_other_days_or_cancelled_visits(
    world, outbox_sms
):
    visit_at(
        world.home, oslo(2026, 3, 11, 11, 0), recipient=recipient_in(world.home, consent=False)
    )
    visit_at(world.home, oslo(2026, 3, 12, 11, 0))  # the day after tomorrow
    cancelled = visit_at(world.home, oslo(2026, 3, 11, 14, 0))
    visit_cancel(visit=cancelled, by=world.home.leader_a, kind="customer", reason="Syk")
    result = run(world, "reminders", now=EVENING)
    assert result == {"handled": 0, "skipped": 1, "failed": 0}
    assert not SmsMessage.objects.exists()


def test_a_reminder_queued_after_the_sending_hours_waits_for_the_morning(world, outbox_sms):
    visit_at(world.home, oslo(2026, 3, 11, 11, 0))
    run(world, "reminders", now=oslo(2026, 3, 10, 21, 30))  # after 20:00
    message = SmsMessage.objects.get()
    assert message.status == SmsStatus.QUEUED
    assert message.send_after == oslo(2026, 3, 11, 9, 0)


def test_consent_withdrawn_after_queueing_stops_the_reminder(
    world, outbox_sms, django_capture_on_commit_callbacks
):
    recipient = recipient_in(world.home)
    visit_at(world.home, oslo(2026, 3, 11, 11, 0), recipient=recipient)
    run(world, "reminders", now=oslo(2026, 3, 10, 21, 30))
    recipient.consents.update(withdrawn_at=oslo(2026, 3, 10, 22, 0))
    with time_machine.travel(oslo(2026, 3, 11, 9, 1), tick=False):
        sms_send(message_id=SmsMessage.objects.get().pk)
    assert SmsMessage.objects.get().status == SmsStatus.BLOCKED_NO_CONSENT


def test_each_organization_reminds_only_its_own_recipients(
    world, outbox_sms, django_capture_on_commit_callbacks
):
    visit_at(world.home, oslo(2026, 3, 11, 11, 0))
    clear_for_assignment(world.other.senior_a)
    other = visit_at(
        world.other,
        oslo(2026, 3, 11, 12, 0),
        recipient=recipient_in(world.other, phone="+4791234568"),
    )
    run(world, "reminders", now=EVENING)
    assert list(SmsMessage.objects.values_list("organization_id", flat=True)) == [
        world.home.organization.pk
    ]
    run(world, "reminders", now=EVENING, cast=world.other)
    assert SmsMessage.objects.filter(visit_id=other.pk).count() == 1


# --- The senior's digest of tomorrow -------------------------------------------------------


def test_the_senior_gets_tomorrows_times_by_e_mail_once(world):
    visit_at(world.home, oslo(2026, 3, 11, 11, 0))
    visit_at(world.home, oslo(2026, 3, 11, 14, 30))
    visit_at(world.home, oslo(2026, 3, 11, 16, 0), senior=world.home.senior_a2)
    run(world, "senior_digest", now=oslo(2026, 3, 10, 18, 0))
    run(world, "senior_digest", now=oslo(2026, 3, 10, 18, 1))
    by_person = {m.to[0]: m.body for m in mail.outbox}
    assert len(mail.outbox) == 2
    body = by_person[world.home.senior_a.user.email]
    assert "11.00" in body
    assert "14.30" in body
    assert "16.00" not in body
    assert "/mine-besok/" in body
    assert not SmsMessage.objects.exists()


def test_a_senior_who_consented_to_work_sms_gets_the_digest_by_sms_instead(world, outbox_sms):
    senior = world.home.senior_a
    senior.user.phone = "+4798765432"
    senior.user.save(update_fields=["phone"])
    staff_sms_consent_give(membership=senior, by=senior.user)
    visit_at(world.home, oslo(2026, 3, 11, 11, 0))
    run(world, "senior_digest", now=oslo(2026, 3, 10, 18, 0))
    run(world, "senior_digest", now=oslo(2026, 3, 10, 18, 1))
    message = SmsMessage.objects.get()
    assert (message.purpose, message.membership_id) == (SmsPurpose.STAFF_DIGEST, senior.pk)
    assert "11.00" in message.body
    assert mail.outbox == []


# --- Unlogged visits ------------------------------------------------------------------------


def test_the_senior_is_nudged_two_hours_after_an_unlogged_visit_ended_once(world):
    visit = visit_at(world.home, oslo(2026, 3, 10, 11, 0))  # ends 12:00
    run(world, "unlogged_senior", now=oslo(2026, 3, 10, 13, 55))
    assert mail.outbox == []
    run(world, "unlogged_senior", now=oslo(2026, 3, 10, 14, 0))
    run(world, "unlogged_senior", now=oslo(2026, 3, 10, 14, 15))
    assert [m.to for m in mail.outbox] == [[world.home.senior_a.user.email]]
    assert f"/mine-besok/{visit.pk}/for/" in mail.outbox[0].body
    assert visit.recipient.name not in mail.outbox[0].body


def test_a_logged_or_cancelled_visit_brings_no_nudge(world):
    logged = visit_at(world.home, oslo(2026, 3, 10, 9, 0))
    logged.status = VisitStatus.LOGGED
    logged.save(update_fields=["status"])
    cancelled = visit_at(world.home, oslo(2026, 3, 10, 10, 0))
    visit_cancel(visit=cancelled, by=world.home.leader_a, kind="senior", reason="Syk")
    result = run(world, "unlogged_senior", now=oslo(2026, 3, 10, 15, 0))
    assert result["handled"] == 0
    assert mail.outbox == []


def test_the_leader_hears_the_next_morning_of_yesterdays_unlogged_visits(world):
    visit_at(world.home, oslo(2026, 3, 10, 11, 0))
    visit_at(world.home, oslo(2026, 3, 10, 13, 0))
    visit_at(world.home, oslo(2026, 3, 11, 9, 0))  # today: not yet
    result = run(world, "unlogged_leader", now=oslo(2026, 3, 11, 7, 30))
    run(world, "unlogged_leader", now=oslo(2026, 3, 11, 7, 31))
    assert result["handled"] == 1
    assert [m.to for m in mail.outbox] == [[world.home.leader_a.user.email]]
    assert "2 besøk" in mail.outbox[0].body
    assert JobRun.objects.filter(job="unlogged_leader").first().for_date == dt.date(2026, 3, 10)


# --- Late start ----------------------------------------------------------------------------


def test_the_leader_is_alerted_when_a_visit_has_not_started_thirty_minutes_after(world):
    visit = visit_at(world.home, oslo(2026, 3, 10, 11, 0))
    run(world, "late_start", now=oslo(2026, 3, 10, 11, 25))
    assert mail.outbox == []
    run(world, "late_start", now=oslo(2026, 3, 10, 11, 30))
    run(world, "late_start", now=oslo(2026, 3, 10, 11, 35))
    assert [m.to for m in mail.outbox] == [[world.home.leader_a.user.email]]
    assert "kl. 11.00" in mail.outbox[0].body
    assert f"/besok/{visit.pk}/" in mail.outbox[0].body


def test_no_alert_once_the_senior_has_checked_in(world, client_for):
    from visits.logging import visit_check_in
    from visits.models import VisitLogDraft

    visit = visit_at(world.home, oslo(2026, 3, 10, 11, 0))
    visit_check_in(visit=visit, by=visit.senior, at=oslo(2026, 3, 10, 11, 4))
    run(world, "late_start", now=oslo(2026, 3, 10, 11, 35))
    assert mail.outbox == []
    # The arrival is the check-in time on the log form.
    assert VisitLogDraft.objects.get(visit=visit).data["checked_in"] == "11:04"


@pytest.mark.parametrize("new_senior_arrives", [False, True])
def test_a_draft_left_by_the_senior_the_visit_was_taken_from_does_not_count_as_started(
    world, new_senior_arrives
):
    """senior_a began the log at 08:00, then the visit went to senior_a2: only senior_a2's
    own arrival (or draft) tells the leader the visit has started."""
    from django.http import QueryDict

    from visits.changes import visit_reassign
    from visits.logging import visit_check_in, visit_log_draft_save

    clear_for_assignment(world.home.senior_a2)
    visit = visit_at(world.home, oslo(2026, 3, 10, 11, 0))
    visit_log_draft_save(
        visit=visit, by=world.home.senior_a, data=QueryDict("went_well=Handlet+inn+i+forveien")
    )
    visit_reassign(visit=visit, by=world.home.leader_a, senior=world.home.senior_a2)
    if new_senior_arrives:
        visit.refresh_from_db()
        visit_check_in(visit=visit, by=world.home.senior_a2, at=oslo(2026, 3, 10, 11, 4))
    run(world, "late_start", now=oslo(2026, 3, 10, 11, 35))
    if new_senior_arrives:
        assert mail.outbox == []
    else:
        assert [m.to for m in mail.outbox] == [[world.home.leader_a.user.email]]
        assert world.home.senior_a2.user.name in mail.outbox[0].body


def test_the_late_start_minutes_are_set_per_organization(world):
    JobSettings.objects.create(organization=world.home.organization, late_start_minutes=60)
    visit_at(world.home, oslo(2026, 3, 10, 11, 0))
    run(world, "late_start", now=oslo(2026, 3, 10, 11, 45))
    assert mail.outbox == []
    run(world, "late_start", now=oslo(2026, 3, 10, 12, 0))
    assert len(mail.outbox) == 1


# --- Transient failures --------------------------------------------------------------------


def test_a_mail_server_away_fails_the_run_for_a_retry_that_sends_only_whats_missing(
    world, settings
):
    settings.EMAIL_BACKEND = "tests.training.mail_backends.RefusingBackend"
    RefusingBackend.refuse = {world.home.senior_a.user.email}
    try:
        visit_at(world.home, oslo(2026, 3, 11, 11, 0))
        visit_at(world.home, oslo(2026, 3, 11, 12, 0), senior=world.home.senior_a2)
        with pytest.raises(JobTransientError):
            run(world, "senior_digest", now=oslo(2026, 3, 10, 18, 0))
        assert [m.to for m in mail.outbox] == [[world.home.senior_a2.user.email]]
        failed = JobRun.objects.get()
        assert (failed.status, failed.handled, failed.failed) == (RunStatus.FAILED, 1, 1)
        assert JobClaim.objects.filter(status=ClaimStatus.QUEUED).count() == 1
        RefusingBackend.refuse = set()
        run(world, "senior_digest", now=oslo(2026, 3, 10, 18, 5))
    finally:
        RefusingBackend.refuse = set()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.home.senior_a.user.email, world.home.senior_a2.user.email]
    )


def test_an_unknown_person_is_a_validation_error_not_a_crash(world):
    with pytest.raises(ValidationError):
        sms_queue(
            organization_id=world.home.organization.pk,
            to_phone="+4791234567",
            body="x",
            purpose=SmsPurpose.REMINDER_SMS,
            audience=SmsAudience.RECIPIENT,
            recipient_id=0,
            idempotency_key="x",
        )


def test_a_waiting_reminder_is_withdrawn_when_its_visit_is_cancelled_or_moved(world, outbox_sms):
    kept = visit_at(world.home, oslo(2026, 3, 11, 11, 0))
    cancelled = visit_at(
        world.home,
        oslo(2026, 3, 11, 12, 0),
        recipient=recipient_in(world.home, phone="+4791234568"),
    )
    moved = visit_at(
        world.home,
        oslo(2026, 3, 11, 13, 0),
        recipient=recipient_in(world.home, phone="+4791234569"),
    )
    run(world, "reminders", now=oslo(2026, 3, 10, 21, 30))  # they wait for 09:00
    with time_machine.travel(oslo(2026, 3, 10, 22, 0), tick=False):
        visit_cancel(visit=cancelled, by=world.home.leader_a, kind="customer", reason="Syk")
        visit_move(
            visit=moved, by=world.home.leader_a, starts_at=oslo(2026, 3, 11, 15, 0),
            duration_minutes=60,
        )  # fmt: skip
    result = run(world, "reminder_recheck", now=oslo(2026, 3, 10, 22, 5))
    assert result["handled"] == 2
    statuses = dict(SmsMessage.objects.values_list("visit_id", "status"))
    assert statuses == {
        kept.pk: SmsStatus.QUEUED,
        cancelled.pk: SmsStatus.CANCELLED,
        moved.pk: SmsStatus.CANCELLED,
    }
    assert run(world, "reminder_recheck", now=oslo(2026, 3, 10, 22, 10))["handled"] == 0


def test_a_permanent_mail_error_fails_the_item_without_a_retry(world, settings):
    settings.EMAIL_BACKEND = "tests.jobs.mail_backends.RejectingBackend"
    visit_at(world.home, oslo(2026, 3, 11, 11, 0))
    result = run(world, "senior_digest", now=oslo(2026, 3, 10, 18, 0))
    assert result == {"handled": 0, "skipped": 0, "failed": 1}
    assert JobClaim.objects.get().status == ClaimStatus.FAILED
    assert JobRun.objects.get().status == RunStatus.FAILED
    assert run(world, "senior_digest", now=oslo(2026, 3, 10, 18, 5))["failed"] == 0
