"""The outcome of Bli kjent (issue 19): the recipient's status follows it, nothing turns
active by itself, the department's leaders are told (in the app and by an e-mail without
content, once each), and a decline's contact-again date shows on *Følg opp* from that day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from customers.models import RecipientStatus
from omsorg import services
from omsorg.models import IntakeInterview, InterviewStatus, LeaderNotice
from omsorg.notices import leader_notices_email
from seniorene.audit.models import AuditEvent, ViewRecord
from tests.factories import MembershipFactory
from tests.omsorg.test_interview import answers

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")
NOW = dt.datetime(2026, 3, 16, 9, 0, tzinfo=OSLO)


@pytest.fixture
def booked(world, intake):
    with time_machine.travel(NOW, tick=False):
        services.screening_record(
            recipient=intake.recipient,
            by=world.home.leader_a,
            answers={c.pk: (True, "") for c in intake.screening},
        )
        return services.interview_book(
            recipient=intake.recipient,
            by=world.home.leader_a,
            senior=world.home.senior_a,
            starts_at=NOW + dt.timedelta(hours=2),
        )


def complete(world, interview, **outcome) -> IntakeInterview:
    form = {k: v for k, v in answers(interview).items() if k.startswith("q")}
    return services.interview_complete(
        interview=interview,
        by=world.home.senior_a,
        data=form,
        criteria={a.pk: True for a in interview.criterion_answers.all()},
        km=None,
        **outcome,
    )


def status_of(interview) -> str:
    interview.recipient.refresh_from_db()
    return interview.recipient.status


# --- The outcome and the status -------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ({"outcome": "good_match"}, RecipientStatus.READY),
        ({"outcome": "try_another"}, RecipientStatus.SCREENING),
        ({"outcome": "declined", "decline_reason": "price"}, RecipientStatus.DECLINED),
    ],
)
def test_the_status_follows_the_outcome_and_never_turns_active(world, booked, outcome, status):
    assert status_of(booked) == RecipientStatus.INTAKE_BOOKED
    with time_machine.travel(NOW + dt.timedelta(hours=3), tick=False):
        complete(world, booked, **outcome)
    assert status_of(booked) == status
    assert status_of(booked) != RecipientStatus.ACTIVE
    booked.refresh_from_db()
    assert booked.outcome == outcome["outcome"]


def test_after_try_another_a_new_meeting_can_be_booked(world, booked):
    with time_machine.travel(NOW + dt.timedelta(hours=3), tick=False):
        complete(world, booked, outcome="try_another")
        # A second meeting is paid and never invoiced: it still asks why (the caution).
        assert services.booking_cautions(booked.recipient)
        again = services.interview_book(
            recipient=booked.recipient,
            by=world.home.leader_a,
            senior=world.home.senior_a,
            starts_at=NOW + dt.timedelta(days=2),
            reason="Første møte: prøv en annen senior",
        )
    assert again.status == InterviewStatus.BOOKED
    assert status_of(booked) == RecipientStatus.INTAKE_BOOKED


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ({}, "Velg utfallet av møtet"),
        ({"outcome": "declined"}, "Velg hvorfor brukeren takker nei"),
        ({"outcome": "declined", "decline_reason": "other"}, "når du velger «Annet»"),
    ],
)
def test_completion_refuses_a_missing_outcome_or_reason(world, booked, outcome, message):
    with pytest.raises(ValidationError, match=message):
        complete(world, booked, **{"outcome": "", **outcome})
    booked.refresh_from_db()
    assert booked.status == InterviewStatus.BOOKED
    assert status_of(booked) == RecipientStatus.INTAKE_BOOKED


def test_the_phone_form_asks_for_the_outcome_and_keeps_the_answers(world, client_for, booked):
    client = client_for(world.home.senior_a)
    page = client.get(f"/bli-kjent/{booked.pk}/skjema/").content.decode()
    assert "God match – start besøk med denne senioren" in page
    assert "Brukeren takker nei" in page
    data = answers(booked, action="complete")
    del data["outcome"]
    html = client.post(f"/bli-kjent/{booked.pk}/skjema/", data).content.decode()
    assert "Velg utfallet av møtet" in html
    # The form is long on a phone: the top says it was not delivered and links to the field.
    top = html[html.index('id="interview-form"') : html.index('id="id_q2_informed')]
    assert "Skjemaet er ikke levert ennå." in top
    assert '<a href="#id_outcome">' in top
    assert "Blomster, Bærum og båtliv" in html  # nothing typed is lost
    booked.refresh_from_db()
    assert booked.status == InterviewStatus.BOOKED
    # A draft keeps the outcome without completing.
    client.post(
        f"/bli-kjent/{booked.pk}/skjema/",
        {"outcome": "declined", "decline_reason": "too_ill"},
        HTTP_HX_REQUEST="true",
    )
    booked.refresh_from_db()
    assert (booked.outcome, booked.status) == ("declined", InterviewStatus.BOOKED)


def test_a_decline_on_the_phone_stores_reason_note_and_date(world, client_for, booked):
    data = answers(
        booked,
        action="complete",
        outcome="declined",
        decline_reason="other",
        decline_note="Vil vente til etter sommeren",
        recontact_on="2026-08-17",
    )
    with time_machine.travel(NOW + dt.timedelta(hours=3), tick=False):
        response = client_for(world.home.senior_a).post(f"/bli-kjent/{booked.pk}/skjema/", data)
    assert response.status_code == 302
    booked.refresh_from_db()
    assert (booked.decline_reason, booked.decline_note, booked.recontact_on) == (
        "other",
        "Vil vente til etter sommeren",
        dt.date(2026, 8, 17),
    )
    assert status_of(booked) == RecipientStatus.DECLINED
    assert AuditEvent.objects.filter(action="interview.completed").exists()
    page = client_for(world.home.leader_a).get(f"/bli-kjent/{booked.pk}/").content.decode()
    assert "Brukeren takker nei: Annet (Vil vente til etter sommeren)" in page
    assert "kontakt igjen 17.8.2026" in page


# --- The leader is told -------------------------------------------------------------------------


def test_the_departments_leaders_get_a_notice_and_one_mail_each(
    world, client_for, booked, django_capture_on_commit_callbacks
):
    second = MembershipFactory(
        organization=world.home.organization, role="leader", departments=[world.home.dept_a]
    )
    with (
        time_machine.travel(NOW + dt.timedelta(hours=3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        complete(world, booked, outcome="good_match")
    notices = LeaderNotice.objects.filter(interview=booked)
    assert {n.leader_id for n in notices} == {world.home.leader_a.pk, second.pk}
    # leader_b (another department) is not told.
    leader_mails = [m for m in mail.outbox if "Til deg som leder" in m.subject]
    assert sorted(m.to[0] for m in leader_mails) == sorted(
        [world.home.leader_a.user.email, second.user.email]
    )
    body = leader_mails[0].body
    assert f"/brukere/{booked.recipient_id}/besok/ny-plan/" in body
    for secret in ("Krigen", "Blomster", "Falt på badet", "pusleoppgaver", "900 11 223"):
        assert secret not in body
    # Rerun: nobody gets it twice.
    again = leader_notices_email(organization_id=world.home.organization.pk, interview_id=booked.pk)
    assert set(again.values()) == {"already"}
    assert len([m for m in mail.outbox if "Til deg som leder" in m.subject]) == 2
    # The admin keeps the manual's intake e-mail.
    assert [m.to for m in mail.outbox if "Bli kjent gjennomført" in m.subject] == [
        [world.home.admin.user.email]
    ]


def test_after_no_match_the_mail_links_to_the_card(
    world, booked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complete(world, booked, outcome="try_another")
    (sent,) = [m for m in mail.outbox if m.to == [world.home.leader_a.user.email]]
    assert f"/brukere/{booked.recipient_id}/\n" in sent.body
    assert "ny-plan" not in sent.body


def test_the_leader_sees_the_notice_on_follow_up_and_marks_it_seen(world, client_for, booked):
    complete(world, booked, outcome="good_match")
    leader = client_for(world.home.leader_a)
    html = leader.get("/besok/folg-opp/").content.decode()
    assert "Bli kjent gjennomført (1)" in html
    assert "Åse Ødegård" in html
    assert f"/brukere/{booked.recipient_id}/besok/ny-plan/" in html
    assert (
        "Åse Ødegård"
        not in client_for(world.home.leader_b).get("/besok/folg-opp/").content.decode()
    )
    notice = LeaderNotice.objects.get(leader=world.home.leader_a)
    # Another leader cannot mark it.
    other = client_for(world.home.leader_b).post(f"/bli-kjent/varsel/{notice.pk}/sett/")
    assert other.status_code == 404
    assert leader.post(f"/bli-kjent/varsel/{notice.pk}/sett/").status_code == 302
    notice.refresh_from_db()
    assert notice.seen_at is not None
    assert "Bli kjent gjennomført (0)" in leader.get("/besok/folg-opp/").content.decode()
    assert AuditEvent.objects.filter(action="leader_notice.seen").count() == 1


# --- Kontakt igjen --------------------------------------------------------------------------


def test_the_recontact_date_shows_on_follow_up_from_that_day_until_done(world, client_for, booked):
    with time_machine.travel(NOW + dt.timedelta(hours=3), tick=False):
        complete(
            world,
            booked,
            outcome="declined",
            decline_reason="not_now",
            recontact_on=dt.date(2026, 4, 1),
        )
    leader = client_for(world.home.leader_a)
    with time_machine.travel(dt.datetime(2026, 3, 31, 23, 30, tzinfo=OSLO), tick=False):
        html = leader.get("/besok/folg-opp/").content.decode()
        assert "Kontakt igjen (0)" in html
    with time_machine.travel(dt.datetime(2026, 4, 1, 0, 30, tzinfo=OSLO), tick=False):
        html = leader.get("/besok/folg-opp/").content.decode()
        assert "Kontakt igjen (1)" in html
        assert "Ikke ønsket nå" in html
        assert f"/brukere/{booked.recipient_id}/" in html
        assert ViewRecord.objects.filter(what="kontakt igjen (Følg opp)").exists()
        assert (
            "Kontakt igjen (0)"
            in client_for(world.home.leader_b).get("/besok/folg-opp/").content.decode()
        )
        assert leader.post(f"/bli-kjent/{booked.pk}/kontaktet/").status_code == 302
        assert "Kontakt igjen (0)" in leader.get("/besok/folg-opp/").content.decode()
    assert AuditEvent.objects.filter(action="interview.recontacted").count() == 1


# --- Data protection --------------------------------------------------------------------------


def test_the_decline_is_exported_and_its_note_anonymised(world, booked):
    from customers.services import recipient_anonymise, recipient_export

    complete(
        world,
        booked,
        outcome="declined",
        decline_reason="other",
        decline_note="Datteren vil ordne det selv",
        recontact_on=dt.date(2026, 9, 1),
    )
    exported = recipient_export(recipient=booked.recipient)["interviews"][0]
    assert exported["outcome"] == "Brukeren takker nei"
    assert exported["decline_reason"] == "Annet"
    assert exported["decline_note"] == "Datteren vil ordne det selv"
    assert exported["recontact_on"] == "2026-09-01"
    recipient_anonymise(recipient=booked.recipient, by=world.home.leader_a.user)
    booked.refresh_from_db()
    assert booked.decline_note == ""
    assert booked.decline_reason == "other"  # a choice, kept for statistics
