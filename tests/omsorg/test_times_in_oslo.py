"""Every date and time a person reads is Oslo time: the audit and view log, the admin's
intake notices and their e-mail — in winter (UTC+1) and summer (UTC+2) alike, on either
side of midnight."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import dateformat

from omsorg import services
from omsorg.models import IntakeInterview

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.UTC


@dataclass(frozen=True)
class Night:
    """A moment just after midnight in Oslo that is still the day before in UTC."""

    utc: dt.datetime
    oslo_day: str  # as the pages write it (j.n.Y)
    oslo_iso: str  # as object labels write it
    utc_day: str
    utc_iso: str


WINTER = Night(  # 00:20 on 18 November in Oslo (UTC+1)
    utc=dt.datetime(2026, 11, 17, 23, 20, tzinfo=UTC),
    oslo_day="18.11.2026",
    oslo_iso="2026-11-18",
    utc_day="17.11.2026",
    utc_iso="2026-11-17",
)
SUMMER = Night(  # 00:20 on 1 July in Oslo (UTC+2)
    utc=dt.datetime(2026, 6, 30, 22, 20, tzinfo=UTC),
    oslo_day="1.7.2026",
    oslo_iso="2026-07-01",
    utc_day="30.6.2026",
    utc_iso="2026-06-30",
)
NIGHTS = pytest.mark.parametrize("night", [WINTER, SUMMER], ids=["winter", "summer"])


def book(world, intake, *, starts_at: dt.datetime) -> IntakeInterview:
    """Screening passed and the meeting booked the morning of the day before."""
    morning = dt.datetime.combine(
        starts_at.astimezone(OSLO).date() - dt.timedelta(days=1), dt.time(9), tzinfo=OSLO
    )
    with time_machine.travel(morning, tick=False):
        services.screening_record(
            recipient=intake.recipient,
            by=world.home.leader_a,
            answers={c.pk: (True, "") for c in intake.screening},
        )
        return services.interview_book(
            recipient=intake.recipient,
            by=world.home.leader_a,
            senior=world.home.senior_a,
            starts_at=starts_at,
            duration_minutes=60,
        )


def complete(world, client_for, interview: IntakeInterview, callbacks) -> None:
    """The senior delivers the form on the phone; the admin e-mail goes out after commit."""
    data = {
        "q2_informed": "yes",
        "q3_prepared_by": "relative",
        "q5_likes": "Blomster",
        "q9_frequency": "Én gang i uken",
        "outcome": "good_match",
        "action": "complete",
    }
    for answer in interview.criterion_answers.all():
        data[f"k_{answer.pk}"] = "yes"
    with callbacks(execute=True):
        response = client_for(world.home.senior_a).post(f"/bli-kjent/{interview.pk}/skjema/", data)
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.completed_at is not None


def row_of(html: str, marker: str) -> str:
    """The one table row of the log page that contains `marker`."""
    rows = [r for r in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if marker in r]
    assert len(rows) == 1, rows
    return rows[0]


@NIGHTS
def test_the_audit_and_view_log_date_an_interview_after_midnight_by_the_oslo_day(
    world, client_for, intake, night, django_capture_on_commit_callbacks
):
    interview = book(world, intake, starts_at=night.utc)
    with time_machine.travel(night.utc, tick=False):
        complete(world, client_for, interview, django_capture_on_commit_callbacks)
    with time_machine.travel(night.utc + dt.timedelta(minutes=10), tick=False):
        lead = client_for(world.home.lead)
        assert lead.get(f"/bli-kjent/{interview.pk}/").status_code == 200

    admin = client_for(world.home.admin)
    with time_machine.travel(night.utc + dt.timedelta(hours=1), tick=False):
        html = admin.get("/logg/").content.decode()
    assert "Tidspunkt (norsk tid)" in html
    completed = row_of(html, "gjennomførte Bli kjent-møtet")
    assert f"{night.oslo_day} 00:20" in completed
    # The meeting's day in the sentence is the Oslo day, in words ("18. nov 2026").
    oslo_words = dateformat.format(dt.date.fromisoformat(night.oslo_iso), "j. b Y")
    assert f"Bli kjent-møtet med {intake.recipient.name} {oslo_words}" in completed
    assert night.utc_day not in completed
    assert night.utc_iso not in completed

    with time_machine.travel(night.utc + dt.timedelta(hours=1), tick=False):
        html = admin.get("/logg/", {"vis": "innsyn"}).content.decode()
    assert "Hvem og når (norsk tid)" in html
    viewed = row_of(html, "Bli kjent:")
    day_words = dateformat.format(dt.date.fromisoformat(night.oslo_iso), "j. b")
    assert f"{world.home.lead.user.name}, 1 gang {day_words}" in viewed
    assert "kl. 00.30" in viewed
    assert f"({night.oslo_iso})" in viewed
    assert night.utc_iso not in viewed


@NIGHTS
def test_the_intake_notice_says_when_the_form_was_delivered_not_the_meeting_day(
    world, client_for, intake, night, django_capture_on_commit_callbacks
):
    # The meeting was two days earlier, in the afternoon; the form was sent after midnight.
    meeting = dt.datetime.combine(
        night.utc.astimezone(OSLO).date() - dt.timedelta(days=2), dt.time(14), tzinfo=OSLO
    )
    meeting_day = f"{meeting.day}.{meeting.month}.{meeting.year}"
    interview = book(world, intake, starts_at=meeting)
    with time_machine.travel(night.utc, tick=False):
        complete(world, client_for, interview, django_capture_on_commit_callbacks)

    admin = client_for(world.home.admin)
    html = admin.get("/varsler/").content.decode()
    assert "Alle tider er norsk tid." in html
    assert f"skjema levert {night.oslo_day} kl. 00.20" in html
    assert meeting_day not in html
    assert night.utc_day not in html

    sent = [m for m in mail.outbox if "Bli kjent gjennomført" in m.subject]
    assert len(sent) == 1
    assert f"Skjemaet ble levert {night.oslo_day} kl. 00.20 (norsk tid)." in sent[0].body
    assert meeting_day not in sent[0].body

    # The date filter picks the Oslo day of delivery.
    delivered = night.utc.astimezone(OSLO).date().isoformat()
    day_before = (night.utc.astimezone(OSLO).date() - dt.timedelta(days=1)).isoformat()
    shown = admin.get("/varsler/", {"date_from": delivered, "date_to": delivered})
    assert intake.recipient.name in shown.content.decode()
    hidden = admin.get("/varsler/", {"date_from": day_before, "date_to": day_before})
    assert intake.recipient.name not in hidden.content.decode()
