"""On a phone: from the agenda, a visit is logged and the feedback SMS sent in three taps;
and what is typed survives a lost connection."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from customers.models import ConsentPurpose, Customer
from messaging.models import SmsMessage
from tests.conftest import make_cast
from tests.factories import (
    TEST_PASSWORD,
    CareRecipientFactory,
    ConsentFactory,
    RelativeFactory,
    VisitFactory,
)
from tests.visits.helpers import without_page_link
from visits.civil_time import local_datetime
from visits.models import VisitLog, VisitLogDraft, VisitStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def started_visit_today(cast):
    """A visit that began a little while ago today, for a recipient whose daughter ordered."""
    organization = cast.organization
    organization.quiet_hours_start, organization.quiet_hours_end = 0, 24
    organization.save()
    leader = cast.leader_a.user
    leader.name, leader.phone = "Kari Leder", "+4791112222"
    leader.save()
    recipient = CareRecipientFactory(
        department=cast.dept_a, name="Åse Ødegård", status="active", seniors=[cast.senior_a]
    )
    daughter = RelativeFactory(recipient=recipient, name="Ingrid Ødegård", phone="+4790011223")
    Customer.objects.create(
        organization=organization, recipient=recipient, kind="relative", relative=daughter
    )
    ConsentFactory(recipient=recipient, relative=daughter, purpose=ConsentPurpose.VISIT_SUMMARY_SMS)
    # Arithmetic on the UTC instant: on the night summer time starts, 03:30 - 50 min on
    # the Oslo wall clock is 02:40, an hour that does not exist (Python reads it as 03:40).
    now = timezone.now().replace(second=0, microsecond=0)
    start = max(
        local_datetime(timezone.localdate(now), dt.time(0, 0)), now - dt.timedelta(minutes=50)
    )
    return VisitFactory(
        recipient=recipient, senior=cast.senior_a, starts_at=start, duration_minutes=45
    )


def log_in(page, membership):
    page.goto("/konto/login/")
    page.get_by_label("E-post").fill(membership.user.email)
    page.get_by_label("Passord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    # A senior's home is the agenda.
    page.get_by_role("heading", name="Mine besøk", exact=True).wait_for()


def test_log_a_visit_and_send_the_feedback_in_three_taps(phone, tmp_path_factory):
    cast = make_cast("Hjemme")
    visit = started_visit_today(cast)
    shots = tmp_path_factory.mktemp("three-taps")
    page = phone
    log_in(page, cast.senior_a)
    page.goto("/mine-besok/")
    page.screenshot(path=shots / "0-agenda.png", full_page=True)

    # Tap 1: from today's visit on the agenda to its log.
    page.get_by_role("link", name="Skriv besøksrapport for Åse Ødegård").tap()
    page.get_by_role("heading", name="Besøk hos Åse Ødegård").wait_for()
    page.screenshot(path=shots / "1-log.png", full_page=True)
    # Tap 2: nothing needs typing (times and ticks are prefilled).
    page.get_by_role("button", name="Lagre besøket").first.tap()
    page.get_by_role("heading", name="Tilbakemelding på SMS").wait_for()
    assert page.get_by_text("Husk taushetsplikten.").is_visible()
    preview = page.locator("#feedback-preview")
    assert "Kontaktperson: Kari Leder, tlf. 91 11 22 22" in preview.inner_text()
    page.screenshot(path=shots / "2-feedback.png", full_page=True)
    # Tap 3: send the prefilled message.
    send = page.get_by_role("button", name="Send SMS")
    assert send.bounding_box()["height"] >= 44
    send.tap()
    page.get_by_text("Meldingen er sendt.").wait_for()
    page.screenshot(path=shots / "3-sent.png", full_page=True)

    visit.refresh_from_db()
    assert visit.status == VisitStatus.LOGGED
    assert VisitLog.objects.filter(visit=visit).count() == 1
    message = SmsMessage.objects.get(visit_id=visit.pk)
    assert message.to_phone == "+4790011223"
    assert message.body.startswith("Hei Ingrid!")
    assert without_page_link(message.body).endswith("Kontaktperson: Kari Leder, tlf. 91 11 22 22")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_what_is_typed_survives_a_lost_connection(phone):
    cast = make_cast("Hjemme")
    visit = started_visit_today(cast)
    page = phone
    log_in(page, cast.senior_a)
    page.goto(f"/mine-besok/{visit.pk}/for/")
    page.get_by_label("Notatbok: hva gikk bra?").fill("Vi gikk til butikken")
    page.get_by_text("Utkast lagret").wait_for()  # the server has the draft
    assert VisitLogDraft.objects.get(visit=visit).data["went_well"] == "Vi gikk til butikken"

    page.context.set_offline(True)
    page.get_by_label("Notatbok: hva kan endres?").fill("Ta med briller neste gang")
    page.wait_for_timeout(2000)  # the autosave fails while offline
    page.context.set_offline(False)
    page.reload()
    assert page.get_by_label("Notatbok: hva gikk bra?").input_value() == "Vi gikk til butikken"
    assert page.get_by_label("Notatbok: hva kan endres?").input_value() == (
        "Ta med briller neste gang"
    )
    assert page.get_by_text("hentet tilbake fra telefonen").is_visible()


def test_a_report_cannot_be_saved_before_the_visit_starts_and_the_page_says_so(phone):
    """The form (maybe the phone's offline copy) says when the visit starts instead of
    letting the senior save a report the server will refuse."""
    cast = make_cast("Hjemme")
    recipient = CareRecipientFactory(
        department=cast.dept_a, name="Åse Ødegård", status="active", seniors=[cast.senior_a]
    )
    later = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=1)
    visit = VisitFactory(recipient=recipient, senior=cast.senior_a, starts_at=later)
    log_in(phone, cast.senior_a)
    phone.goto(f"/mine-besok/{visit.pk}/for/")
    notice = phone.locator("[data-not-started]")
    notice.wait_for()
    assert "Du kan lagre rapporten når besøket har startet" in notice.inner_text()
    saves = phone.locator("#visit-log-form button[type=submit]")
    assert saves.count() == 2
    assert all(saves.nth(i).is_disabled() for i in range(2))
    # "Besøket ble ikke noe av" stays possible before the start.
    phone.get_by_text("Besøket ble ikke noe av").tap()
    missed = phone.locator("form[data-offline-log]:not(#visit-log-form) button[type=submit]")
    assert missed.first.is_enabled()
