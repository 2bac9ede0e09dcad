"""R1: no Bli kjent before a passed screening; R6 for the senior; max one hour."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers import services as customer_services
from customers.models import CustomerKind, RecipientStatus
from omsorg import services
from omsorg.models import IntakeInterview, Screening, ScreeningOutcome
from tests.factories import RelativeFactory
from tests.omsorg.conftest import booking_post, screening_post

pytestmark = pytest.mark.django_db


def test_a_passed_screening_records_every_answer_with_its_wording(world, client_for, intake):
    client = client_for(world.home.leader_a)
    response = client.post(f"/brukere/{intake.recipient.pk}/kartlegging/", screening_post(intake))
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert screening.outcome == ScreeningOutcome.PASSED
    assert [a.wording for a in screening.answers.all()] == [c.text for c in intake.screening]
    intake.recipient.refresh_from_db()
    assert intake.recipient.status == RecipientStatus.SCREENING


def test_one_unmet_criterion_fails_the_screening(world, client_for, intake):
    client = client_for(world.home.leader_a)
    client.post(f"/brukere/{intake.recipient.pk}/kartlegging/", screening_post(intake, met=False))
    assert Screening.objects.get().outcome == ScreeningOutcome.NOT_PASSED


def test_every_criterion_must_be_answered(world, client_for, intake):
    data = screening_post(intake)
    del data[f"c_{intake.screening[1].pk}"]
    html = (
        client_for(world.home.leader_a)
        .post(f"/brukere/{intake.recipient.pk}/kartlegging/", data)
        .content.decode()
    )
    assert "Svar ja eller nei." in html
    assert not Screening.objects.exists()


def test_rewording_a_criterion_keeps_the_wording_answered_under(world, intake):
    services.screening_record(
        recipient=intake.recipient,
        by=world.home.leader_a,
        answers={c.pk: (True, "") for c in intake.screening},
    )
    old = intake.screening[0].text
    intake.screening[0].text = "Ny ordlyd"
    intake.screening[0].save()
    assert Screening.objects.get().answers.first().wording == old


# --- R1 from every side -------------------------------------------------------------------


def test_booking_without_any_screening_is_refused_by_the_page(world, client_for, intake):
    client = client_for(world.home.leader_a)
    page = client.get(f"/brukere/{intake.recipient.pk}/bli-kjent/ny/").content.decode()
    assert "kan ikke avtales før kartleggingen er gjennomført og bestått" in page
    html = client.post(
        f"/brukere/{intake.recipient.pk}/bli-kjent/ny/", booking_post(world)
    ).content.decode()
    assert "kan ikke avtales før kartleggingen" in html
    assert not IntakeInterview.objects.exists()


def test_booking_after_a_failed_screening_is_refused_by_the_service(world, intake):
    services.screening_record(
        recipient=intake.recipient,
        by=world.home.leader_a,
        answers={c.pk: (False, "for syk") for c in intake.screening},
    )
    with pytest.raises(ValidationError, match="kartleggingen er gjennomført og bestått"):
        services.interview_book(
            recipient=intake.recipient,
            by=world.home.leader_a,
            senior=world.home.senior_a,
            starts_at=timezone.now() + timedelta(days=2),
        )


def test_the_latest_screening_counts(world, intake):
    for met in (True, False):
        services.screening_record(
            recipient=intake.recipient,
            by=world.home.leader_a,
            answers={c.pk: (met, "") for c in intake.screening},
        )
    assert services.screening_passed(intake.recipient) is False


def test_a_passed_screening_lets_the_leader_book(world, client_for, intake):
    client = client_for(world.home.leader_a)
    client.post(f"/brukere/{intake.recipient.pk}/kartlegging/", screening_post(intake))
    response = client.post(f"/brukere/{intake.recipient.pk}/bli-kjent/ny/", booking_post(world))
    assert response.status_code == 302
    interview = IntakeInterview.objects.get()
    assert interview.senior == world.home.senior_a
    assert timezone.localtime(interview.starts_at).hour == 11
    assert interview.criterion_answers.count() == 3
    intake.recipient.refresh_from_db()
    assert intake.recipient.status == RecipientStatus.INTAKE_BOOKED


def test_the_meeting_lasts_at_most_one_hour(world, client_for, intake):
    client = client_for(world.home.leader_a)
    client.post(f"/brukere/{intake.recipient.pk}/kartlegging/", screening_post(intake))
    html = client.post(
        f"/brukere/{intake.recipient.pk}/bli-kjent/ny/", booking_post(world, minutes=90)
    ).content.decode()
    assert "høyst én time" in html
    assert not IntakeInterview.objects.exists()


def test_an_untrained_senior_cannot_be_booked_and_the_leader_sees_why(world, client_for, intake):
    client = client_for(world.home.leader_a)
    client.post(f"/brukere/{intake.recipient.pk}/kartlegging/", screening_post(intake))
    page = client.get(f"/brukere/{intake.recipient.pk}/bli-kjent/ny/").content.decode()
    blocked = page.split("Seniorer som ikke kan velges ennå")[1]
    assert world.home.senior_a2.user.name in blocked
    assert "Taushetserklæring" in blocked
    html = client.post(
        f"/brukere/{intake.recipient.pk}/bli-kjent/ny/",
        booking_post(world, senior=world.home.senior_a2),
    ).content.decode()
    assert "Velg et gyldig valg" in html
    with pytest.raises(ValidationError, match="opplæringen er fullført"):
        services.interview_book(
            recipient=intake.recipient,
            by=world.home.leader_a,
            senior=world.home.senior_a2,
            starts_at=timezone.now() + timedelta(days=2),
        )
    assert not IntakeInterview.objects.exists()


def test_the_relative_attends_by_default_when_a_relative_is_the_customer(world, intake):
    relative = RelativeFactory(recipient=intake.recipient)
    customer_services.customer_set(
        recipient=intake.recipient,
        by=world.home.leader_a,
        kind=CustomerKind.RELATIVE,
        data={"relative": relative},
    )
    services.screening_record(
        recipient=intake.recipient,
        by=world.home.leader_a,
        answers={c.pk: (True, "") for c in intake.screening},
    )
    interview = services.interview_book(
        recipient=intake.recipient,
        by=world.home.leader_a,
        senior=world.home.senior_a,
        starts_at=timezone.now() + timedelta(days=2),
    )
    assert interview.relative_attends is True


def test_the_organization_adds_and_retires_criteria_on_its_page(world, client_for, intake):
    admin = client_for(world.home.admin)
    admin.post(
        "/kriterier/",
        {
            "kind": "screening",
            "text": "Bor i kommunen",
            "help_text": "",
            "position": 9,
            "is_active": "on",
        },
    )
    retired = intake.screening[0]
    admin.post(
        f"/kriterier/{retired.pk}/",
        {"kind": "screening", "text": retired.text, "help_text": "", "position": 0},
    )
    page = (
        client_for(world.home.leader_a)
        .get(f"/brukere/{intake.recipient.pk}/kartlegging/")
        .content.decode()
    )
    assert "Bor i kommunen" in page
    assert retired.text not in page


def test_a_service_area_name_already_in_use_gets_a_clear_message(world, client_for):
    from omsorg.models import ServiceArea

    area = ServiceArea.objects.create(organization=world.home.organization, name="Turgåing")
    ServiceArea.objects.create(organization=world.other.organization, name="Handling")
    before = ServiceArea.objects.filter(organization=world.home.organization).count()
    admin = client_for(world.home.admin)
    response = admin.post("/tjenesteomrader/", {"name": "TURGÅING", "position": 5})
    assert response.status_code == 200
    assert "Det finnes allerede et tjenesteområde med dette navnet." in response.content.decode()
    assert ServiceArea.objects.filter(organization=world.home.organization).count() == before
    # Another organization's name is free to use, and an area keeps its own name.
    assert admin.post("/tjenesteomrader/", {"name": "Handling", "position": 6}).status_code == 302
    same = {"name": "Turgåing", "position": 1, "is_active": "on"}
    assert admin.post(f"/tjenesteomrader/{area.pk}/", same).status_code == 302
