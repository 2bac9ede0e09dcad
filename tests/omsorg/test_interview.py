"""The interview on the phone, its completion (R7), the admin notice, the PDF, R2 and R3."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.utils import timezone

from customers.models import RecipientStatus
from ledger.models import PURPOSE_INTAKE, MileageEntry, TimeEntry
from omsorg import services
from omsorg.models import AdminNotification, IntakeInterview, InterviewStatus, PdfStatus
from seniorene.audit.models import ViewRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(world, intake):
    services.screening_record(
        recipient=intake.recipient,
        by=world.home.leader_a,
        answers={c.pk: (True, "") for c in intake.screening},
    )
    return services.interview_book(
        recipient=intake.recipient,
        by=world.home.leader_a,
        senior=world.home.senior_a,
        starts_at=timezone.now() + timedelta(hours=2),
        duration_minutes=60,
    )


def answers(interview, *, met=("yes", "yes", "yes"), **extra):
    data = {
        "q2_informed": "yes",
        "q3_prepared_by": "relative",
        "q4_contact_name": "Ingrid Ødegård",
        "q4_contact_phone": "900 11 223",
        "q5_likes": "Blomster, Bærum og båtliv",
        "q6_avoid": "Krigen",
        "q7_cognitive": "Blir fort sliten av pusleoppgaver",
        "q8_falls": "Falt på badet i fjor vinter",
        "q9_frequency": "Én gang i uken",
        "outcome": "good_match",
    }
    for answer, value in zip(interview.criterion_answers.order_by("pk"), met, strict=True):
        data[f"k_{answer.pk}"] = value
    data.update(extra)
    return data


def test_autosave_keeps_a_draft_and_says_when(world, client_for, booked):
    client = client_for(world.home.senior_a)
    response = client.post(
        f"/bli-kjent/{booked.pk}/skjema/",
        {"q5_likes": "Fotball", "km": "7,5"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Lagret kl." in response.content.decode()
    booked.refresh_from_db()
    assert booked.q5_likes == "Fotball"
    # km is part of the draft too: typed 7,5, reloaded, still there.
    assert booked.km == Decimal("7.5")
    assert 'value="7,5"' in client.get(f"/bli-kjent/{booked.pk}/skjema/").content.decode()
    assert booked.status == InterviewStatus.BOOKED
    # The same save again is harmless.
    client.post(f"/bli-kjent/{booked.pk}/skjema/", {"q5_likes": "Fotball"}, HTTP_HX_REQUEST="true")
    assert IntakeInterview.objects.count() == 1


def test_completing_records_hours_km_notice_and_pdf(
    world, client_for, booked, django_capture_on_commit_callbacks
):
    client = client_for(world.home.senior_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/bli-kjent/{booked.pk}/skjema/", answers(booked, action="complete", km="12,5")
        )
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == InterviewStatus.COMPLETED
    assert booked.q1_person.startswith("Åse Ødegård, ")
    # R7: paid to the senior, never invoiced; km with the purpose and no customer.
    hours = TimeEntry.objects.get()
    assert (hours.membership, hours.hours, hours.billable, hours.customer) == (
        world.home.senior_a,
        Decimal("1.00"),
        False,
        None,
    )
    km = MileageEntry.objects.get()
    assert (km.km, km.purpose, km.customer, km.billable) == (
        Decimal("12.5"),
        PURPOSE_INTAKE,
        None,
        False,
    )
    booked.recipient.refresh_from_db()
    # A good match is ready for its plan; only the plan makes the recipient active.
    assert booked.recipient.status == RecipientStatus.READY
    # Admin is told who, by whom, when — and not what the form says.
    notice = AdminNotification.objects.get()
    assert (notice.recipient_name, notice.senior_name) == (
        "Åse Ødegård",
        world.home.senior_a.user.name,
    )
    sent = [m for m in mail.outbox if "Bli kjent gjennomført" in m.subject]
    assert [m.to for m in sent] == [[world.home.admin.user.email]]
    assert "Krigen" not in sent[0].body
    # The PDF was rendered (Celery runs eagerly in tests) with the answers.
    assert booked.pdf_status == PdfStatus.READY
    text = pdf_text(default_storage.path(booked.pdf_file))
    for expected in ("Blomster, Bærum og båtliv", "Falt på badet", "Åse Ødegård", "Én gang i uken"):
        assert expected in text
    # The archived form says what the meeting came to.
    assert "Utfall av møtet" in text
    assert "God match – start besøk med denne senioren" in " ".join(text.split())


def pdf_text(path: str) -> str:
    return subprocess.run(  # noqa: S603 - poppler's pdftotext on our own file
        ["/usr/bin/pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True
    ).stdout


def test_completing_twice_records_everything_once(world, booked):
    form = {k: v for k, v in answers(booked).items() if k.startswith("q")}
    criteria = {a.pk: True for a in booked.criterion_answers.all()}
    for _ in range(2):
        services.interview_complete(
            interview=booked,
            by=world.home.senior_a,
            data=form,
            criteria=criteria,
            km=Decimal("3"),
            outcome="good_match",
        )
    assert TimeEntry.objects.count() == 1
    assert MileageEntry.objects.count() == 1
    assert AdminNotification.objects.count() == 1


def test_every_criterion_must_be_answered_to_complete(world, client_for, booked):
    data = answers(booked, met=("yes", "yes", ""), action="complete")
    html = (
        client_for(world.home.senior_a)
        .post(f"/bli-kjent/{booked.pk}/skjema/", data)
        .content.decode()
    )
    assert "Svar ja eller nei på alle tre kriteriene" in html
    booked.refresh_from_db()
    assert booked.status == InterviewStatus.BOOKED
    assert not TimeEntry.objects.exists()


def test_a_blank_form_renders_for_printing(world, client_for):
    services.omsorg_seed_defaults(organization=world.home.organization)
    response = client_for(world.home.senior_a).get("/bli-kjent/tomt-skjema.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # The paper form asks for the outcome too, as boxes to tick.
    text = subprocess.run(  # noqa: S603 - poppler's pdftotext on our own bytes
        ["/usr/bin/pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "☐ Prøv en annen senior" in text


# --- R2 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("met", "allowed"), [(("yes",) * 3, True), (("yes", "no", "yes"), False)])
def test_training_visits_need_all_three_criteria(world, booked, met, allowed):
    assert services.training_visits_allowed(recipient=booked.recipient)[0] is False
    form = {k: v for k, v in answers(booked).items() if k.startswith("q")}
    values = dict(zip([a.pk for a in booked.criterion_answers.order_by("pk")], met, strict=True))
    services.interview_complete(
        interview=booked,
        by=world.home.senior_a,
        data=form,
        criteria={pk: v == "yes" for pk, v in values.items()},
        km=None,
        outcome="good_match",
    )
    ok, reason = services.training_visits_allowed(recipient=booked.recipient)
    assert ok is allowed
    if not allowed:
        assert "ikke kjent for å bli sint" in reason


# --- R3 -----------------------------------------------------------------------------------


def test_who_may_read_the_interview(world, client_for, booked):
    booked = services.interview_save_draft(
        interview=booked, by=world.home.senior_a, data={"q6_avoid": "Hemmelig tema"}
    )
    url = f"/bli-kjent/{booked.pk}/"
    expected = {
        "senior_a": 200,  # holds the meeting
        "leader_a": 200,  # leader of the recipient's department
        "lead": 200,  # the professional lead
        "leader_b": 404,  # another department
        "senior_a2": 404,  # same department, not assigned
        "admin": 403,  # sees that it happened, never what it says
    }
    for persona, status in expected.items():
        response = client_for(world.home.persona(persona)).get(url)
        assert response.status_code == status, persona
        if status == 200:
            assert "Hemmelig tema" in response.content.decode()
    assert ViewRecord.objects.filter(what="intervjuskjema").count() == 3


def test_an_assigned_senior_may_read_it_too(world, client_for, booked):
    from customers.models import Assignment

    Assignment.objects.create(
        organization=world.home.organization,
        recipient=booked.recipient,
        senior=world.home.senior_a2,
    )
    assert client_for(world.home.senior_a2).get(f"/bli-kjent/{booked.pk}/").status_code == 200
    # ... but only the booked senior fills it in.
    assert (
        client_for(world.home.senior_a2).get(f"/bli-kjent/{booked.pk}/skjema/").status_code == 404
    )


def test_pdf_downloads_are_logged_and_admin_gets_none(
    world, client_for, booked, django_capture_on_commit_callbacks
):
    form = {k: v for k, v in answers(booked).items() if k.startswith("q")}
    with django_capture_on_commit_callbacks(execute=True):
        services.interview_complete(
            interview=booked,
            by=world.home.senior_a,
            data=form,
            criteria={a.pk: True for a in booked.criterion_answers.all()},
            km=None,
            outcome="good_match",
        )
    response = client_for(world.home.lead).get(f"/bli-kjent/{booked.pk}/pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert ViewRecord.objects.filter(
        what="intervjuskjema (PDF)", viewer=world.home.lead.user
    ).exists()
    assert client_for(world.home.admin).get(f"/bli-kjent/{booked.pk}/pdf/").status_code == 403


def test_the_admin_queue_lists_unreviewed_first_without_content(world, client_for, booked):
    form = {k: v for k, v in answers(booked).items() if k.startswith("q")}
    services.interview_complete(
        interview=booked,
        by=world.home.senior_a,
        data=form,
        criteria={a.pk: True for a in booked.criterion_answers.all()},
        km=None,
        outcome="good_match",
    )
    admin = client_for(world.home.admin)
    html = admin.get("/varsler/").content.decode()
    assert "1 ikke gjennomgått" in html
    assert "Åse Ødegård" in html
    assert "Krigen" not in html
    notice = AdminNotification.objects.get()
    admin.post(f"/varsler/{notice.pk}/gjennomgatt/")
    notice.refresh_from_db()
    assert notice.reviewed_by == world.home.admin.user
    html = admin.get("/varsler/", {"department": world.home.dept_b.pk}).content.decode()
    assert "Åse Ødegård" not in html


def test_ending_the_recipient_cancels_a_booked_meeting_but_keeps_a_completed_one(world, booked):
    from customers.services import recipient_change_status

    recipient_change_status(
        recipient=booked.recipient, by=world.home.leader_a, to_status="ended", reason="Flyttet"
    )
    booked.refresh_from_db()
    assert booked.status == InterviewStatus.CANCELLED


def test_the_funnel_counts_each_step_and_the_days_between(world, client_for, booked):
    form = {k: v for k, v in answers(booked).items() if k.startswith("q")}
    services.interview_complete(
        interview=booked,
        by=world.home.senior_a,
        data=form,
        criteria={a.pk: True for a in booked.criterion_answers.all()},
        km=None,
        outcome="good_match",
    )
    from tests.factories import CareRecipientFactory

    CareRecipientFactory(department=world.home.dept_b)  # an inquiry that went no further
    steps = services.intake_funnel(organization=world.home.organization)
    # Screened, Bli kjent, a good match; active once a plan is made.
    assert [s.count for s in steps] == [2, 1, 1, 1, 0]
    assert steps[1].median_days_from_previous is not None
    html = client_for(world.home.admin).get("/tall/inntak/").content.decode()
    assert "Bli kjent gjennomført" in html
    assert "50 %" in html
