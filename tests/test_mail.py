"""One mail sender and one rule for what is tried again (seniorene/mail.py)."""

from __future__ import annotations

import datetime as dt
import smtplib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError
from django.urls import reverse

from omsorg import tasks as omsorg_tasks
from omsorg.models import AdminNotification
from seniorene.jobs.models import ClaimStatus, JobClaim
from seniorene.mail import is_transient
from tests.factories import CareRecipientFactory, IntakeInterviewFactory
from tests.training.mail_backends import RefusingBackend
from training import tasks as training_tasks
from training.models import TeamMeeting, TeamMeetingInvite

OSLO = ZoneInfo("Europe/Oslo")


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPConnectError(421, b"busy"), True),
        (smtplib.SMTPResponseException(451, b"try later"), True),
        (smtplib.SMTPRecipientsRefused({"a@example.no": (450, b"mailbox busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.no": (550, b"No such user")}), False),
        (
            smtplib.SMTPRecipientsRefused(
                {"a@example.no": (450, b"busy"), "b@example.no": (550, b"No such user")}
            ),
            False,
        ),
        (smtplib.SMTPResponseException(554, b"rejected"), False),
        (OperationalError("server closed the connection"), True),
        (ConnectionResetError(), True),
        (ValueError("a bug"), False),
    ],
)
def test_only_errors_that_may_pass_later_are_tried_again(error, transient):
    assert is_transient(error) is transient


class RejectingForGood(RefusingBackend):
    """The server answers 550 (no such user) for the refused addresses: never worth a retry."""

    def send_messages(self, messages):
        for message in messages:
            if message.to[0] in self.refuse:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
        return super().send_messages(messages)


@time_machine.travel(dt.datetime(2026, 3, 1, 8, 0, tzinfo=OSLO), tick=False)
def test_a_team_meeting_invite_to_an_address_that_does_not_exist_fails_at_once(
    world, client_for, settings
):
    with time_machine.travel(dt.datetime(2026, 2, 20, 12, 0, tzinfo=OSLO), tick=False):
        client_for(world.home.lead).post(
            reverse("training:meetings"),
            {"date": "2026-03-12", "time": "18:00", "link": "https://teams.example/mars"},
        )
    assert TeamMeeting.objects.filter(organization=world.home.organization).exists()
    settings.EMAIL_BACKEND = "tests.test_mail.RejectingForGood"
    RejectingForGood.refuse = {world.home.senior_a.user.email}
    try:
        training_tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3)
        training_tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3)
    finally:
        RejectingForGood.refuse = set()
    invite = TeamMeetingInvite.objects.get(membership=world.home.senior_a)
    # Before one policy, a 550 was retried like a dropped connection (three attempts).
    claim = JobClaim.objects.get(key=f"team-meeting:{invite.pk}")
    assert (claim.status, claim.attempts) == (ClaimStatus.FAILED, 1)
    assert "No such user" in claim.error
    assert len(mail.outbox) == 2  # the other two seniors, once each


@time_machine.travel(dt.datetime(2026, 3, 2, 12, 0, tzinfo=OSLO), tick=False)
def test_the_admin_hears_of_a_delivered_form_once_however_often_the_task_runs(world):
    recipient = CareRecipientFactory(
        organization=world.home.organization, department=world.home.dept_a
    )
    interview = IntakeInterviewFactory(
        recipient=recipient,
        senior=world.home.senior_a,
        starts_at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=OSLO),
        status="completed",
        completed_at=dt.datetime(2026, 3, 2, 11, 0, tzinfo=OSLO),
    )
    notice = AdminNotification.objects.create(
        organization=world.home.organization,
        interview=interview,
        department=world.home.dept_a,
        recipient_name="Åse Ødegård",
        senior_name=world.home.senior_a.user.name,
        met_on=dt.date(2026, 3, 2),
    )
    for _ in range(3):  # a redelivered task, a retry after a crash, a second worker
        omsorg_tasks.notify_admin_of_intake(world.home.organization.pk, notice.pk)
    sent = [m for m in mail.outbox if "Bli kjent gjennomført" in m.subject]
    assert len(sent) == 1
    assert sent[0].to == [world.home.admin.user.email]
    assert "Åse Ødegård" in sent[0].body
    assert "(norsk tid)" in sent[0].body
