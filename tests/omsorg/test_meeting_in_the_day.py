"""Issue 18: the booked Bli kjent meeting in the senior's day — the agenda, the calendar
feed, the day-before digest, clashes with visits both ways, the announcements to the
senior, and the leader moving or cancelling one meeting without pausing the recipient."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import RecipientStatus
from messaging.models import SmsMessage, SmsPurpose
from messaging.services import staff_sms_consent_give
from omsorg import meetings, services
from omsorg.models import IntakeInterview, InterviewStatus
from omsorg.notices import meeting_announce
from seniorene.audit.models import AuditEvent
from seniorene.jobs.services import job_execute
from tests.factories import CareRecipientFactory, VisitFactory
from tests.omsorg.conftest import Intake
from tests.visits.conftest import make_plan, oslo
from tests.visits.conftest import planning as planning  # noqa: F401  (a fixture)
from visits.calendar_feed import calendar_feed_for, calendar_token
from visits.conflicts import visit_conflicts
from visits.models import VisitPlan
from visits.selectors import senior_agenda

pytestmark = pytest.mark.django_db

NOW = oslo(2026, 3, 17, 8, 0)  # a Tuesday
AT = oslo(2026, 3, 19, 13, 0)  # the meeting: Thursday 13.00–14.00


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def recipient(intake: Intake):
    """The intake's recipient with an address, screened and passed (R1)."""
    r = intake.recipient
    r.address, r.postal_code, r.city = "Thereses gate 12", "0452", "Oslo"
    r.save()
    return r


def screened(world, recipient) -> None:
    from omsorg.models import Criterion, CriterionKind

    criteria = Criterion.objects.filter(
        organization=world.home.organization, kind=CriterionKind.SCREENING
    )
    services.screening_record(
        recipient=recipient, by=world.home.leader_a, answers={c.pk: (True, "") for c in criteria}
    )


def book(world, recipient, *, at: dt.datetime = AT, senior=None, callbacks=None):
    screened(world, recipient)
    kwargs = {
        "recipient": recipient,
        "by": world.home.leader_a,
        "senior": senior or world.home.senior_a,
        "starts_at": at,
    }
    if callbacks is None:
        return services.interview_book(**kwargs)
    with callbacks(execute=True):
        return services.interview_book(**kwargs)


# --- The agenda ------------------------------------------------------------------------


def test_a_booked_meeting_is_on_the_seniors_agenda_with_time_name_address_and_the_form(
    world, client_for, recipient
):
    interview = book(world, recipient)
    html = client_for(world.home.senior_a).get("/mine-besok/").content.decode()
    day = html.index("torsdag 19. mars")
    meeting = html.index("Bli kjent-møte", day)
    assert "13.00–14.00" in html[day:]
    assert html.index("Åse Ødegård", meeting) > meeting
    assert "Kart: Thereses gate 12, 0452 Oslo" in html
    assert f'href="/bli-kjent/{interview.pk}/skjema/"' in html
    # Another senior's agenda does not have it.
    other = client_for(world.home.senior_a2).get("/mine-besok/").content.decode()
    assert f"/bli-kjent/{interview.pk}/" not in other
    assert "Thereses gate" not in other
    assert "Åse Ødegård" not in other


def test_a_cancelled_meeting_shows_as_cancelled_without_the_form_link(world, client_for, recipient):
    interview = book(world, recipient)
    meetings.interview_cancel(interview=interview, by=world.home.leader_a, reason="Syk")
    html = client_for(world.home.senior_a).get("/mine-besok/").content.decode()
    assert "Avlyst" in html
    assert f"/bli-kjent/{interview.pk}/skjema/" not in html


def test_the_agenda_reads_meetings_in_a_constant_number_of_queries(world, recipient):
    senior = world.home.senior_a
    book(world, recipient)
    with CaptureQueriesContext(connection) as one:
        days = senior_agenda(senior=senior)
        assert sum(len(d.meetings) for d in days) == 1
    for n in range(3):
        other = CareRecipientFactory(department=world.home.dept_a, name=f"Person {n}")
        book(world, other, at=oslo(2026, 3, 20 + n, 10, 0))
    with CaptureQueriesContext(connection) as four:
        days = senior_agenda(senior=senior)
        assert sum(len(d.meetings) for d in days) == 4
    assert len(four.captured_queries) == len(one.captured_queries)


# --- The calendar feed ----------------------------------------------------------------


def feed_events(client, senior) -> dict[str, icalendar.Event]:
    feed = calendar_feed_for(membership=senior)
    response = client.get(f"/kalender/{calendar_token(feed)}.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_has_the_meeting_moved_under_the_same_uid_and_drops_it_when_cancelled(
    world, client, recipient
):
    senior = world.home.senior_a
    interview = book(world, recipient)
    uid = f"bli-kjent-{interview.pk}@localhost:8000"
    event = feed_events(client, senior)[uid]
    assert event.decoded("dtstart") == AT
    assert event.decoded("dtend") == AT + dt.timedelta(hours=1)
    assert str(event["summary"]) == "Bli kjent-møte: Åse Ødegård"
    assert str(event["location"]) == "Thereses gate 12, 0452 Oslo"
    assert str(event["url"]).endswith(f"/bli-kjent/{interview.pk}/skjema/")
    assert int(event["sequence"]) == 0

    later = oslo(2026, 3, 20, 10, 0)
    meetings.interview_move(
        interview=interview, by=world.home.leader_a, starts_at=later, duration_minutes=45
    )
    moved = feed_events(client, senior)[uid]
    assert moved.decoded("dtstart") == later
    assert moved.decoded("dtend") == later + dt.timedelta(minutes=45)
    assert int(moved["sequence"]) == 1

    meetings.interview_cancel(interview=interview, by=world.home.leader_a)
    assert uid not in feed_events(client, senior)


# --- The day-before digest ------------------------------------------------------------


def test_the_digest_of_tomorrow_has_the_meeting_once(world, recipient):
    book(world, recipient)
    mail.outbox.clear()
    evening = oslo(2026, 3, 18, 18, 0)
    for now in (evening, evening + dt.timedelta(minutes=1)):
        with time_machine.travel(now, tick=False):
            job_execute(
                organization_id=world.home.organization.pk, job="senior_digest", day=None, now=now
            )
    digests = [m for m in mail.outbox if m.to == [world.home.senior_a.user.email]]
    assert len(digests) == 1
    assert "Bli kjent-møte torsdag 19. mars, klokken:" in digests[0].body
    assert "- 13.00" in digests[0].body


def test_a_cancelled_meeting_is_not_in_the_digest(world, recipient):
    interview = book(world, recipient)
    meetings.interview_cancel(interview=interview, by=world.home.leader_a)
    mail.outbox.clear()
    evening = oslo(2026, 3, 18, 18, 0)
    with time_machine.travel(evening, tick=False):
        job_execute(
            organization_id=world.home.organization.pk, job="senior_digest", day=None, now=evening
        )
    assert mail.outbox == []


# --- Clashes, both ways ---------------------------------------------------------------


def test_booking_over_a_visit_shows_the_clash_and_books_only_when_confirmed(
    world, client_for, recipient, intake
):
    from tests.omsorg.conftest import booking_post

    screened(world, recipient)
    other = CareRecipientFactory(department=world.home.dept_a, name="Per Hansen")
    day = dt.date(2026, 3, 20)
    VisitFactory(recipient=other, senior=world.home.senior_a, starts_at=oslo(2026, 3, 20, 10, 30))
    data = booking_post(world) | {"date": day.isoformat(), "start": "11:00"}
    client = client_for(world.home.leader_a)
    url = f"/brukere/{recipient.pk}/bli-kjent/ny/"
    html = client.post(url, data).content.decode()
    assert "Senioren er opptatt på dette tidspunktet" in html
    assert "Senioren har et besøk 10.30–11.30" in html
    assert "Book likevel" in html
    assert not IntakeInterview.objects.filter(recipient=recipient).exists()
    # "Book likevel" confirms this senior at this time, not another time typed meanwhile.
    key = re.search(r'name="confirm" value="([^"]+)"', html)
    assert key is not None
    moved = client.post(url, data | {"start": "10:45", "confirm": key.group(1)}).content.decode()
    assert "Book likevel" in moved
    assert not IntakeInterview.objects.filter(recipient=recipient).exists()
    response = client.post(url, data | {"confirm": key.group(1)}, follow=True)
    assert "Bli kjent-møtet er avtalt" in response.content.decode()
    interview = IntakeInterview.objects.get(recipient=recipient)
    row = AuditEvent.objects.get(action="interview.booked", object_id=str(interview.pk))
    assert row.details["clashes_confirmed"] == ["Senioren har et besøk 10.30–11.30"]


def test_booking_over_another_meeting_of_the_senior_asks_to_confirm(
    world, client_for, recipient, intake
):
    from tests.omsorg.conftest import booking_post

    screened(world, recipient)
    other = CareRecipientFactory(department=world.home.dept_a, name="Per Hansen")
    book(world, other, at=oslo(2026, 3, 20, 11, 30))
    data = booking_post(world) | {"date": "2026-03-20", "start": "11:00"}
    html = (
        client_for(world.home.leader_a)
        .post(f"/brukere/{recipient.pk}/bli-kjent/ny/", data)
        .content.decode()
    )
    assert "Senioren har et annet Bli kjent-møte 11.30–12.30" in html
    assert "Book likevel" in html
    assert not IntakeInterview.objects.filter(recipient=recipient).exists()


def test_booking_over_another_meeting_warns_too(world, recipient):
    book(world, recipient)
    other = CareRecipientFactory(department=world.home.dept_a, name="Per Hansen")
    second = book(world, other, at=AT + dt.timedelta(minutes=30))
    assert meetings.meeting_clashes(interview=second) == [
        "Senioren har et annet Bli kjent-møte 13.00–14.00"
    ]


def test_a_meeting_far_from_visits_has_no_clash(world, recipient):
    interview = book(world, recipient)
    other = CareRecipientFactory(department=world.home.dept_a, name="Per Hansen")
    VisitFactory(recipient=other, senior=world.home.senior_a, starts_at=AT + dt.timedelta(hours=1))
    VisitFactory(recipient=other, senior=world.home.senior_a2, starts_at=AT)
    assert meetings.meeting_clashes(interview=interview) == []


def test_moving_a_meeting_onto_a_visit_asks_to_confirm(world, client_for, recipient):
    interview = book(world, recipient)
    other = CareRecipientFactory(department=world.home.dept_a, name="Per Hansen")
    VisitFactory(recipient=other, senior=world.home.senior_a, starts_at=oslo(2026, 3, 24, 9, 0))
    client = client_for(world.home.leader_a)
    data = {"date": "2026-03-24", "start": "09:30", "duration_minutes": "60", "reason": ""}
    html = client.post(f"/bli-kjent/{interview.pk}/flytt/", data).content.decode()
    assert "Senioren er opptatt på det nye tidspunktet" in html
    assert "Senioren har et besøk 09.00–10.00" in html
    interview.refresh_from_db()
    assert interview.starts_at == AT  # not moved yet
    key = re.search(r'name="confirm" value="([^"]+)"', html)
    assert key is not None
    response = client.post(
        f"/bli-kjent/{interview.pk}/flytt/", data | {"confirm": key.group(1)}, follow=True
    )
    assert "Bli kjent-møtet er flyttet" in response.content.decode()
    interview.refresh_from_db()
    assert interview.starts_at == oslo(2026, 3, 24, 9, 30)


def test_planning_visits_over_a_meeting_warns_the_leader(world, client_for, recipient, planning):
    book(world, recipient, at=oslo(2026, 3, 24, 11, 30))  # a Tuesday
    from tests.visits.conftest import plan_post

    response = client_for(world.home.leader_a).post(
        f"/brukere/{planning.recipient.pk}/besok/ny-plan/",
        plan_post(world, weekdays=["1"], first_date="2026-03-17"),
        follow=True,
    )
    html = response.content.decode()
    # Shown in the form before anything is saved (issue 19).
    assert "kolliderer med noe" in html
    assert "Senioren har et Bli kjent-møte 11.30–12.30" in html
    assert not VisitPlan.objects.exists()


def test_moving_a_visit_onto_a_meeting_warns_and_the_conflict_names_the_meeting(
    world, client_for, recipient, planning
):
    book(world, recipient)
    plan = make_plan(world, planning.recipient, weekdays=(1,))
    visit = plan.visits.order_by("starts_at").first()
    assert visit_conflicts([visit]) == {}
    response = client_for(world.home.leader_a).post(
        f"/besok/{visit.pk}/flytt/",
        {"date": "2026-03-19", "start_time": "13:30", "duration_minutes": "60"},
        follow=True,
    )
    html = response.content.decode()
    assert "Besøket er flyttet" in html
    assert "Obs: Senioren har et Bli kjent-møte 13.00–14.00." in html
    visit.refresh_from_db()
    assert [c.kind for c in visit_conflicts([visit])[visit.pk]] == ["meeting"]
    # Once the meeting is cancelled, the visit is clear again.
    meetings.interview_cancel(
        interview=IntakeInterview.objects.get(recipient=recipient), by=world.home.leader_a
    )
    assert visit_conflicts([visit]) == {}


# --- Announcements ---------------------------------------------------------------------


def senior_mails(world) -> list:
    return [m for m in mail.outbox if m.to == [world.home.senior_a.user.email]]


def test_booking_moving_and_cancelling_are_each_announced_exactly_once(
    world, recipient, django_capture_on_commit_callbacks
):
    org = world.home.organization.pk
    interview = book(world, recipient, callbacks=django_capture_on_commit_callbacks)
    assert meeting_announce(organization_id=org, interview_id=interview.pk, change="booked") == (
        "already"
    )
    [booked] = senior_mails(world)
    assert booked.subject == "Nytt Bli kjent-møte torsdag 19. mars kl. 13.00"
    # Who and where stay in the app: e-mail is no place for a recipient's name (R3).
    # (Less the greeting: Faker's Norwegian surnames include Ødegård, the senior's too.)
    body = booked.body.replace(world.home.senior_a.user.name, "")
    assert "Åse" not in body
    assert "Ødegård" not in body
    assert "Thereses gate" not in booked.body
    assert "torsdag 19. mars kl. 13.00" in booked.body
    assert f"/bli-kjent/{interview.pk}/skjema/" in booked.body

    # The senior has typed health details into the form meanwhile: no mail carries them.
    services.interview_save_draft(
        interview=interview, by=world.home.senior_a, data={"q8_falls": "Falt i trappa i fjor"}
    )
    for _twice in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            meetings.interview_move(
                interview=interview,
                by=world.home.leader_a,
                starts_at=oslo(2026, 3, 20, 10, 0),
                duration_minutes=60,
            )
    meeting_announce(organization_id=org, interview_id=interview.pk, change="moved:1")
    for _twice in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            meetings.interview_cancel(interview=interview, by=world.home.leader_a, reason="Syk")
    meeting_announce(organization_id=org, interview_id=interview.pk, change="cancelled")

    subjects = [m.subject for m in senior_mails(world)]
    assert subjects == [
        "Nytt Bli kjent-møte torsdag 19. mars kl. 13.00",
        "Bli kjent-møtet er flyttet til fredag 20. mars kl. 10.00",
        "Bli kjent-møtet fredag 20. mars kl. 10.00 er avlyst",
    ]
    assert all("trappa" not in m.body for m in mail.outbox)


def test_an_announcement_replaced_by_a_later_change_is_not_sent(world, recipient):
    interview = book(world, recipient)  # the booking's announcement has not run yet
    meetings.interview_cancel(interview=interview, by=world.home.leader_a)
    org = world.home.organization.pk
    assert meeting_announce(organization_id=org, interview_id=interview.pk, change="booked") == (
        "skipped"
    )
    assert senior_mails(world) == []


def test_an_sms_goes_too_only_with_the_seniors_own_consent(
    world, recipient, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "outbox"
    senior = world.home.senior_a
    senior.user.phone = "+4798765432"
    senior.user.save(update_fields=["phone"])
    interview = book(world, recipient, callbacks=django_capture_on_commit_callbacks)
    assert len(senior_mails(world)) == 1
    assert not SmsMessage.objects.exists()  # a phone, but no consent

    staff_sms_consent_give(membership=senior, by=senior.user)
    for _twice in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            meetings.interview_move(
                interview=interview,
                by=world.home.leader_a,
                starts_at=oslo(2026, 3, 20, 10, 0),
                duration_minutes=60,
            )
    sms = SmsMessage.objects.get()
    assert (sms.membership_id, sms.purpose) == (senior.pk, SmsPurpose.STAFF_DIGEST)
    assert "Et Bli kjent-møte er flyttet til fredag 20. mars kl. 10.00" in sms.body
    assert "Ødegård" not in sms.body.replace(senior.user.name, "")  # less a greeting
    assert "Thereses gate" not in sms.body
    assert sms.idempotency_key == f"bli-kjent:{interview.pk}:moved:1"
    assert len(senior_mails(world)) == 2


# --- Move and cancel keep the recipient's status, and are audited ---------------------------


def test_the_leader_moves_a_meeting_from_the_card_and_the_recipient_is_not_paused(
    world, client_for, recipient
):
    interview = book(world, recipient)
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.INTAKE_BOOKED
    client = client_for(world.home.leader_a)
    card = client.get(f"/brukere/{recipient.pk}/").content.decode()
    assert f'href="/bli-kjent/{interview.pk}/endre/"' in card
    assert "Flytt møtet" in client.get(f"/bli-kjent/{interview.pk}/endre/").content.decode()
    response = client.post(
        f"/bli-kjent/{interview.pk}/flytt/",
        {"date": "2026-03-20", "start": "10:00", "duration_minutes": "45", "reason": "Ferie"},
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    recipient.refresh_from_db()
    assert (interview.starts_at, interview.duration_minutes) == (oslo(2026, 3, 20, 10, 0), 45)
    assert (interview.status, interview.sequence) == (InterviewStatus.BOOKED, 1)
    assert recipient.status == RecipientStatus.INTAKE_BOOKED
    event = AuditEvent.objects.get(action="interview.moved")
    assert event.actor == world.home.leader_a.user
    assert event.object_id == str(interview.pk)
    assert event.details["reason"] == "Ferie"


def test_the_leader_cancels_one_meeting_and_the_recipient_keeps_their_status(
    world, client_for, recipient
):
    interview = book(world, recipient)
    response = client_for(world.home.leader_a).post(
        f"/bli-kjent/{interview.pk}/avlys/", {"reason": "Brukeren er på sykehus"}
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    recipient.refresh_from_db()
    assert interview.status == InterviewStatus.CANCELLED
    assert interview.cancel_reason == "Brukeren er på sykehus"
    assert interview.cancelled_by == world.home.leader_a.user
    assert recipient.status == RecipientStatus.INTAKE_BOOKED
    event = AuditEvent.objects.get(action="interview.cancelled")
    assert event.object_id == str(interview.pk)
    assert event.details == {"reason": "Brukeren er på sykehus"}
    # A new meeting may be booked for the same recipient.
    book(world, recipient, at=oslo(2026, 3, 26, 13, 0))


def test_a_completed_meeting_can_be_neither_moved_nor_cancelled(world, client_for, recipient):
    interview = book(world, recipient)
    IntakeInterview.objects.filter(pk=interview.pk).update(status=InterviewStatus.COMPLETED)
    client = client_for(world.home.leader_a)
    page = client.post(f"/bli-kjent/{interview.pk}/avlys/", {"reason": ""}).content.decode()
    assert "Møtet er gjennomført og kan ikke avlyses." in page
    page = client.post(
        f"/bli-kjent/{interview.pk}/flytt/",
        {"date": "2026-03-20", "start": "10:00", "duration_minutes": "60"},
    ).content.decode()
    assert "Bare et avtalt møte kan flyttes." in page
    assert IntakeInterview.objects.get(pk=interview.pk).status == InterviewStatus.COMPLETED
    assert not AuditEvent.objects.filter(action__in=["interview.moved", "interview.cancelled"])


def test_a_move_to_a_past_time_is_refused_in_norwegian(world, client_for, recipient):
    interview = book(world, recipient)
    page = (
        client_for(world.home.leader_a)
        .post(
            f"/bli-kjent/{interview.pk}/flytt/",
            {"date": "2026-03-16", "start": "10:00", "duration_minutes": "60"},
        )
        .content.decode()
    )
    assert "Tidspunktet har allerede vært." in page
    interview.refresh_from_db()
    assert interview.starts_at == AT


@pytest.mark.parametrize("persona", ["leader_b", "senior_a", "admin"])
def test_only_the_departments_leaders_and_the_lead_move_or_cancel(
    world, client_for, recipient, persona
):
    interview = book(world, recipient)
    client = client_for(world.home.persona(persona))
    assert client.get(f"/bli-kjent/{interview.pk}/endre/").status_code in (403, 404)
    assert client.post(f"/bli-kjent/{interview.pk}/avlys/").status_code in (403, 404)
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.BOOKED
    lead = client_for(world.home.lead)
    assert lead.post(f"/bli-kjent/{interview.pk}/avlys/").status_code == 302


def test_ending_the_recipient_still_cancels_and_tells_the_senior(
    world, recipient, django_capture_on_commit_callbacks
):
    from customers.services import recipient_change_status

    interview = book(world, recipient)
    with django_capture_on_commit_callbacks(execute=True):
        recipient_change_status(
            recipient=recipient,
            by=world.home.leader_a,
            to_status=RecipientStatus.ENDED,
            reason="Flyttet på sykehjem",
        )
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.CANCELLED
    assert [m.subject for m in senior_mails(world)] == [
        "Bli kjent-møtet torsdag 19. mars kl. 13.00 er avlyst"
    ]
