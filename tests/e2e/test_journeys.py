"""The four journeys of issue 10 in Chromium, each page scanned with axe-core.

Every step is screenshotted on a desktop (1280×800) and a phone (390×844)
viewport and scanned on both: no serious or critical violation is allowed.
On the senior's pages every control is at least 44 × 44 px. Screenshots land
in pytest's temporary directory under `journeys-*/`.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import CareRecipient, Consent, ConsentPurpose, Customer, Relative
from ledger.models import MileageEntry
from messaging.models import SmsMessage
from omsorg import services as omsorg
from omsorg.models import AdminNotification, IntakeInterview, InterviewStatus, PdfStatus
from tests.e2e.proof import Journey, open_as
from tests.factories import CareRecipientFactory, ConsentFactory, RelativeFactory, make_criteria
from tests.training.helpers import clear_for_assignment
from visits.civil_time import local_datetime
from visits.models import Visit, VisitStatus
from visits.planning import PlanFields, plan_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def field(page, text: str):
    """The form control labelled `text` (Django adds a colon to labels)."""
    return page.get_by_label(re.compile(rf"^{re.escape(text)}:?$"))


def booked_interview(cast, name: str = "Åse Ødegård") -> IntakeInterview:
    """A recipient of department A, screened, with Bli kjent booked for senior_a."""
    screening, _training = make_criteria(cast.organization)
    clear_for_assignment(cast.senior_a)
    recipient = CareRecipientFactory(department=cast.dept_a, name=name, seniors=[cast.senior_a])
    RelativeFactory(recipient=recipient, name="Ingrid Ødegård")
    omsorg.screening_record(
        recipient=recipient, by=cast.leader_a, answers={c.pk: (True, "") for c in screening}
    )
    return omsorg.interview_book(
        recipient=recipient,
        by=cast.leader_a,
        senior=cast.senior_a,
        starts_at=timezone.now() - timedelta(hours=2),
    )


def completed_interview(cast) -> IntakeInterview:
    interview = booked_interview(cast)
    omsorg.interview_complete(
        interview=interview,
        by=cast.senior_a,
        data={
            "q2_informed": "yes",
            "q3_prepared_by": "relative",
            "q4_contact_name": "Ingrid Ødegård",
            "q4_contact_phone": "900 11 223",
            "q5_likes": "Blomster, Bærum og båtliv",
            "q9_frequency": "Én gang i uken",
        },
        criteria={a.pk: True for a in interview.criterion_answers.all()},
        km=Decimal("4"),
        outcome="good_match",
    )
    return IntakeInterview.objects.get(pk=interview.pk)


def test_a_leader_registers_screens_and_books_bli_kjent(
    world_tx, browser, live_server, tmp_path_factory
):
    """Journey 1, leader on a desktop."""
    cast = world_tx
    make_criteria(cast.organization)
    clear_for_assignment(cast.senior_a)
    page = open_as(browser, live_server, cast.leader_a, phone=False)
    journey = Journey(page, tmp_path_factory.mktemp("journeys-leader"))

    page.goto("/brukere/")
    journey.step("recipient-list")
    page.get_by_role("link", name="Registrer ny bruker").click()
    field(page, "Navn").fill("Åse Ødegård")
    field(page, "Fødselsdato").fill("1941-04-03")
    field(page, "Adresse").fill("Storgata 1")
    field(page, "Postnummer").fill("0450")
    field(page, "Poststed").fill("Oslo")
    field(page, "Telefon").fill("912 34 567")
    page.get_by_label("Familie eller venner").check()
    page.get_by_label(cast.senior_a.user.name).check()
    journey.step("recipient-form")
    page.get_by_role("button", name="Lagre").click()
    page.get_by_role("heading", name="Åse Ødegård").wait_for()
    journey.step("recipient-card")
    recipient = CareRecipient.objects.get(name="Åse Ødegård")

    page.get_by_role("link", name="Legg til pårørende").first.click()  # the checklist's
    field(page, "Navn").fill("Ingrid Ødegård")
    field(page, "Relasjon").select_option("child")
    field(page, "Mobil").fill("900 11 223")
    field(page, "Bestilte tjenesten").check()
    journey.step("relative-form")
    page.get_by_role("button", name="Lagre").click()
    page.get_by_text("Ingrid Ødegård").first.wait_for()
    relative = Relative.objects.get(recipient=recipient)

    page.get_by_role("link", name="Registrer samtykke", exact=True).first.click()
    field(page, "Hvem kan motta").select_option(str(relative.pk))
    page.get_by_label("Oppsummering etter besøk på SMS").check()
    journey.step("consent-form")
    page.get_by_role("button", name="Registrer samtykke").click()
    page.get_by_role("heading", name="Åse Ødegård").wait_for()
    assert Consent.objects.filter(recipient=recipient, relative=relative).count() == 1

    page.get_by_role("link", name="Kartlegg", exact=True).first.click()
    for group in page.locator("fieldset").all():
        yes = group.get_by_label("Ja", exact=True)
        if yes.count():
            yes.check()
    journey.step("screening")
    page.get_by_role("button", name="Lagre kartleggingen").click()
    page.get_by_role("heading", name="Åse Ødegård").wait_for()

    page.get_by_role("link", name="Avtal Bli kjent-møte").first.click()
    field(page, "Senior").select_option(str(cast.senior_a.pk))
    field(page, "Dato").fill((timezone.localdate() + timedelta(days=3)).isoformat())
    field(page, "Klokkeslett").fill("11:00")
    journey.step("booking")
    page.get_by_role("button", name="Avtal møtet").click()
    page.get_by_role("heading", name="Åse Ødegård").wait_for()
    journey.step("card-booked")

    interview = IntakeInterview.objects.get(recipient=recipient)
    assert interview.senior_id == cast.senior_a.pk
    assert timezone.localtime(interview.starts_at).time() == time(11)
    journey.assert_clean()


def test_a_senior_does_the_interview_sees_the_plan_and_logs_a_visit(
    world_tx, browser, live_server, tmp_path_factory
):
    """Journey 2, senior on a phone (390×844, touch): the interview, the plan, the visit
    logged and the feedback SMS sent to the recipient, who is the customer."""
    cast = world_tx
    interview = booked_interview(cast)
    page = open_as(browser, live_server, cast.senior_a, phone=True)
    journey = Journey(page, tmp_path_factory.mktemp("journeys-senior"), senior_pages=True)

    page.goto("/hjem/")
    page.get_by_role("heading", name="Mine besøk", exact=True).wait_for()  # home: the agenda
    journey.step("home")
    page.get_by_text("Meny", exact=True).tap()  # a finger on a touch screen
    journey.step("menu")
    page.get_by_role("link", name="Bli kjent", exact=True).first.click()
    journey.step("my-interviews")
    page.get_by_role("link", name="Åse Ødegård").click()
    page.get_by_label("Hva liker brukeren særlig å snakke om?").fill("Blomster og båtliv")
    page.get_by_label("Hvor ofte ønskes kvalitetsbesøk?").fill("Hver torsdag")
    # Autosave: the draft is stored without pressing anything.
    page.get_by_text("Lagret kl.").wait_for()
    interview.refresh_from_db()
    assert interview.q5_likes == "Blomster og båtliv"
    for group in page.locator("fieldset").all():
        yes = group.get_by_label("Ja", exact=True)
        if yes.count():
            yes.check()
    page.get_by_label("Kilometer kjørt til møtet", exact=False).fill("7,5")
    journey.step("interview-filled")
    page.get_by_label("God match – start besøk med denne senioren").check()
    page.get_by_role("button", name="Fullfør og lever").click()
    page.get_by_text("Skjemaet er levert").wait_for()
    journey.step("interview-done")
    assert IntakeInterview.objects.get(pk=interview.pk).status == InterviewStatus.COMPLETED
    assert str(MileageEntry.objects.get().km) == "7.5"  # the drive to the meeting

    # The leader plans weekly visits; one of them began earlier today.
    recipient = interview.recipient
    now = timezone.localtime()
    # The recipient is the customer and wants a word after visits (journey 1 records this).
    recipient.phone = "+4798765432"
    recipient.save()
    Customer.objects.create(organization=cast.organization, recipient=recipient, kind="recipient")
    plan_create(
        recipient=recipient,
        by=cast.leader_a,
        fields=PlanFields(
            senior=cast.senior_a,
            weekdays=(now.weekday(),),
            start_time=time(11),
            first_date=now.date() + timedelta(days=1),
        ),
    )
    ConsentFactory(recipient=recipient, purpose=ConsentPurpose.VISIT_SUMMARY_SMS)
    cast.organization.quiet_hours_start, cast.organization.quiet_hours_end = 0, 24
    cast.organization.save()
    # An hour ago (on the UTC instant: the Oslo wall clock skips an hour in March), but
    # never before midnight: yesterday's visit is not on today's agenda.
    started = max(
        local_datetime(now.date(), time(0)),
        timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1),
    )
    visit = Visit.objects.create(
        organization=cast.organization,
        recipient=recipient,
        senior=cast.senior_a,
        starts_at=started,
        original_starts_at=started,
        duration_minutes=60,
    )

    page.get_by_text("Meny", exact=True).click()
    page.get_by_role("link", name="Mine besøk").first.click()
    page.get_by_text("Åse Ødegård").first.wait_for()
    journey.step("agenda-with-plan")
    assert page.get_by_text("Åse Ødegård").count() >= 2  # today's visit and the plan's
    page.locator(f"a[href='/mine-besok/{visit.pk}/']").first.click()
    journey.step("visit")
    page.get_by_role("link", name="Skriv besøksrapport").click()
    page.get_by_label(re.compile("hva gikk bra")).fill("Vi gikk en tur langs elva.")
    # Issue 22: "Noe lederen bør vite", opened and filled in (large radio targets, axe).
    page.get_by_text("Noe lederen bør vite", exact=True).first.click()
    page.get_by_label("Endring i humør eller hukommelse").first.check()
    page.get_by_label("Hva bør lederen vite?").first.fill("Hun glemte at jeg skulle komme.")
    journey.step("visit-log-form")
    page.get_by_role("button", name="Lagre besøket").first.click()
    page.get_by_role("heading", name="Tilbakemelding på SMS").wait_for()
    journey.step("feedback")
    assert "Neste besøk er " in page.locator("#feedback-preview").inner_text()
    page.get_by_role("button", name="Send SMS").click()
    page.get_by_text("Meldingen er sendt.").wait_for()
    journey.step("feedback-sent")
    page.goto("/mine-besok/meldinger/")
    page.get_by_text("Hun glemte at jeg skulle komme.").wait_for()
    journey.step("my-concerns")

    visit.refresh_from_db()
    assert visit.status == VisitStatus.LOGGED
    assert visit.log.went_well == "Vi gikk en tur langs elva."
    assert visit.concerns.get().category == "mood"
    message = SmsMessage.objects.get(visit_id=visit.pk)
    assert (message.to_phone, message.recipient_id) == ("+4798765432", recipient.pk)
    journey.assert_clean()


def test_an_admin_reviews_the_intake_notice_and_opens_the_audit_log(
    world_tx, browser, live_server, tmp_path_factory
):
    """Journey 3, admin on a desktop."""
    cast = world_tx
    completed_interview(cast)
    page = open_as(browser, live_server, cast.admin, phone=False)
    journey = Journey(page, tmp_path_factory.mktemp("journeys-admin"))

    page.goto("/hjem/")
    journey.step("home")
    page.get_by_role("link", name="Varsler").first.click()
    page.get_by_text("Åse Ødegård").first.wait_for()
    assert page.get_by_text("Blomster").count() == 0  # who and when, never the form
    journey.step("notifications")
    page.get_by_role("button", name="Marker som gjennomgått").first.click()
    page.get_by_text("Alt er gjennomgått.").wait_for()
    journey.step("notification-reviewed")
    assert AdminNotification.objects.get().reviewed_at is not None

    page.goto("/logg/")
    journey.step("audit-log")
    assert page.locator("table tbody tr").count() >= 1
    # In plain words, filtered by kind (the filters' choice lists and notices scanned too).
    page.get_by_text("gikk gjennom varselet").first.wait_for()
    page.get_by_label("Slag hendelse").select_option("blikjent")
    page.get_by_label("Fra dato").fill("2001-01-01")
    page.get_by_role("button", name="Vis", exact=True).click()
    page.get_by_role("link", name="Nullstill").wait_for()
    journey.step("audit-log-filtered")
    assert page.get_by_text("gikk gjennom varselet").count() >= 1
    page.goto("/logg/?vis=innsyn&til=ikke-en-dato")
    page.get_by_text("er ikke en gyldig dato").wait_for()
    journey.step("view-log")
    journey.assert_clean()


def test_the_lead_sees_training_completion_and_opens_the_interview_pdf(
    world_tx, browser, live_server, tmp_path_factory
):
    """Journey 4, professional lead on a desktop."""
    cast = world_tx
    interview = completed_interview(cast)
    assert interview.pdf_status == PdfStatus.READY
    page = open_as(browser, live_server, cast.lead, phone=False)
    journey = Journey(page, tmp_path_factory.mktemp("journeys-lead"))

    page.goto("/opplaering/oversikt/")
    page.get_by_text(cast.senior_a.user.name).first.wait_for()
    journey.step("training-overview")

    page.goto(f"/bli-kjent/{interview.pk}/")
    page.get_by_text("Blomster, Bærum og båtliv").wait_for()
    journey.step("interview")
    link = page.locator(f"a[href='/bli-kjent/{interview.pk}/pdf/']").first
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    journey.assert_clean()
