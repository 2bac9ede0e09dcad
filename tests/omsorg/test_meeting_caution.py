"""Issue 19: caution with Bli kjent meetings (paid, never invoiced). A second meeting for
the recipient, or one after a screening older than 60 days, asks for a written reason
that is stored, audited and shown to leaders."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from omsorg import services
from omsorg.models import IntakeInterview, InterviewStatus
from seniorene.audit.models import AuditEvent
from tests.omsorg.conftest import Intake, booking_post
from tests.visits.conftest import oslo

pytestmark = pytest.mark.django_db

NOW = oslo(2026, 3, 17, 8, 0)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def screen(world, intake: Intake) -> None:
    services.screening_record(
        recipient=intake.recipient,
        by=world.home.leader_a,
        answers={c.pk: (True, "") for c in intake.screening},
    )


def book(world, intake: Intake, *, at: dt.datetime, reason: str = "") -> IntakeInterview:
    return services.interview_book(
        recipient=intake.recipient,
        by=world.home.leader_a,
        senior=world.home.senior_a,
        starts_at=at,
        reason=reason,
    )


def test_the_first_meeting_after_a_fresh_screening_asks_for_no_reason(world, client_for, intake):
    screen(world, intake)
    assert services.booking_cautions(intake.recipient) == []
    html = client_for(world.home.leader_a).get(f"/brukere/{intake.recipient.pk}/bli-kjent/ny/")
    assert "Begrunnelse for møtet" not in html.content.decode()
    interview = book(world, intake, at=oslo(2026, 3, 19, 11))
    assert interview.caution_reason == ""


def test_a_second_meeting_without_a_reason_is_refused(world, client_for, intake):
    screen(world, intake)
    first = book(world, intake, at=oslo(2026, 3, 19, 11))
    with pytest.raises(ValidationError) as refused:
        book(world, intake, at=oslo(2026, 3, 26, 11))
    assert "Skriv en begrunnelse for møtet" in refused.value.messages[0]
    client = client_for(world.home.leader_a)
    url = f"/brukere/{intake.recipient.pk}/bli-kjent/ny/"
    page = client.get(url).content.decode()
    # The form says why before the leader types anything.
    assert "Vær forsiktig med å avtale dette møtet" in page
    assert "Åse Ødegård har allerede 1 Bli kjent-møte (siste: 19.03.2026" in page
    assert 'name="reason"' in page
    data = booking_post(world) | {"date": "2026-03-26"}
    html = client.post(url, data).content.decode()
    assert "Skriv en begrunnelse for møtet." in html
    assert list(IntakeInterview.objects.filter(recipient=intake.recipient)) == [first]


def test_a_second_meeting_with_a_reason_is_booked_audited_and_shown(world, client_for, intake):
    screen(world, intake)
    book(world, intake, at=oslo(2026, 3, 19, 11))
    client = client_for(world.home.leader_a)
    data = booking_post(world) | {
        "date": "2026-03-26",
        "reason": "Kjemien stemte ikke, vi prøver en annen senior",
    }
    response = client.post(f"/brukere/{intake.recipient.pk}/bli-kjent/ny/", data, follow=True)
    assert "Bli kjent-møtet er avtalt" in response.content.decode()
    second = IntakeInterview.objects.get(starts_at=oslo(2026, 3, 26, 11))
    assert second.caution_reason == "Kjemien stemte ikke, vi prøver en annen senior"
    event = AuditEvent.objects.get(action="interview.booked", object_id=str(second.pk))
    assert event.details["reason"] == second.caution_reason
    assert "allerede 1 Bli kjent-møte" in event.details["cautions"][0]
    # Leaders see it on the card and on the meeting's page.
    card = client.get(f"/brukere/{intake.recipient.pk}/").content.decode()
    assert "Begrunnelse for møtet: Kjemien stemte ikke, vi prøver en annen senior" in card
    change = client.get(f"/bli-kjent/{second.pk}/endre/").content.decode()
    assert "Kjemien stemte ikke" in change


def test_a_cancelled_meeting_does_not_count_as_an_earlier_one(world, intake):
    from omsorg.meetings import interview_cancel

    screen(world, intake)
    first = book(world, intake, at=oslo(2026, 3, 19, 11))
    interview_cancel(interview=first, by=world.home.leader_a)
    assert services.booking_cautions(intake.recipient) == []
    second = book(world, intake, at=oslo(2026, 3, 26, 11))
    assert second.status == InterviewStatus.BOOKED


def test_a_screening_older_than_60_days_asks_for_a_reason(world, client_for, intake, clock):
    with time_machine.travel(NOW - dt.timedelta(days=61), tick=False):
        screen(world, intake)
    cautions = services.booking_cautions(intake.recipient)
    assert cautions == [
        "Siste kartlegging er fra 15.01.2026, mer enn 60 dager siden. Vurder å kartlegge på nytt."
    ]
    with pytest.raises(ValidationError):
        book(world, intake, at=oslo(2026, 3, 19, 11))
    client = client_for(world.home.leader_a)
    url = f"/brukere/{intake.recipient.pk}/bli-kjent/ny/"
    assert "mer enn 60 dager siden" in client.get(url).content.decode()
    html = client.post(url, booking_post(world)).content.decode()
    assert "Skriv en begrunnelse for møtet." in html
    assert not IntakeInterview.objects.exists()
    book(world, intake, at=oslo(2026, 3, 19, 11), reason="Ingen endring, sa datteren i går")
    assert IntakeInterview.objects.get().caution_reason == "Ingen endring, sa datteren i går"


def test_a_screening_of_exactly_60_days_asks_nothing(world, intake):
    with time_machine.travel(NOW - dt.timedelta(days=60), tick=False):
        screen(world, intake)
    assert services.booking_cautions(intake.recipient) == []


def test_the_reason_is_in_the_export_and_gone_after_anonymisation(world, intake):
    from customers.services import recipient_anonymise, recipient_export

    screen(world, intake)
    book(world, intake, at=oslo(2026, 3, 19, 11))
    book(world, intake, at=oslo(2026, 3, 26, 11), reason="Ønsket av sønnen Per Olsen")
    export = recipient_export(recipient=intake.recipient)
    reasons = [i["caution_reason"] for i in export["interviews"]]
    assert reasons == ["", "Ønsket av sønnen Per Olsen"]
    recipient_anonymise(recipient=intake.recipient, by=world.home.leader_a.user)
    assert set(IntakeInterview.objects.values_list("caution_reason", flat=True)) == {""}
