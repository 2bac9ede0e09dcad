"""The Bli kjent interview on a phone: autosave, and what is typed offline survives.

Filling in and completing it (autosave, the menu tapped, the km recorded) is journey 2 in
tests/e2e/test_journeys.py, which also scans every step with axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ledger.models import MileageEntry
from omsorg import services
from tests.conftest import make_cast
from tests.factories import TEST_PASSWORD, CareRecipientFactory, make_criteria
from tests.training.helpers import clear_for_assignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def booked_for(cast):
    screening, _training = make_criteria(cast.organization)
    clear_for_assignment(cast.senior_a)
    recipient = CareRecipientFactory(department=cast.dept_a, name="Åse Ødegård")
    services.screening_record(
        recipient=recipient, by=cast.leader_a, answers={c.pk: (True, "") for c in screening}
    )
    return services.interview_book(
        recipient=recipient,
        by=cast.leader_a,
        senior=cast.senior_a,
        starts_at=timezone.now() + timedelta(hours=1),
    )


def open_the_form(page):
    """A senior with a booked interview logs in on the phone and opens its form."""
    cast = make_cast("Hjemme")
    interview = booked_for(cast)
    page.goto("/konto/login/")
    page.get_by_label("E-post").fill(cast.senior_a.user.email)
    page.get_by_label("Passord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    page.get_by_role("heading", name="Mine besøk", exact=True).wait_for()
    page.goto(f"/bli-kjent/{interview.pk}/skjema/")
    return interview


def test_every_field_autosaves_and_what_is_typed_offline_survives(phone_without_service_worker):
    """km is in the draft; text typed without a connection is kept on the phone through a
    reload, the status says so honestly, and it is sent when the phone is online again."""
    page = phone_without_service_worker
    interview = open_the_form(page)
    status = page.locator("#save-status")

    # km: typed 7, reloaded, still 7 (the server's draft).
    km = page.get_by_label("Kilometer kjørt til møtet", exact=False)
    km.fill("7")
    page.get_by_text("Lagret kl.").wait_for()
    interview.refresh_from_db()
    assert interview.km == 7
    page.evaluate("localStorage.clear()")  # the server alone must have it
    page.reload()
    assert km.input_value() == "7,0"

    # No connection: the status is honest and the text stays on the phone.
    avoid = page.get_by_label("Tema å unngå", exact=False)
    page.context.set_offline(True)
    avoid.fill("Krigen og sykehus")
    page.get_by_text("Uten nett – lagret på telefonen, sendes når du har nett").wait_for()
    assert "Lagret kl." not in status.inner_text()
    interview.refresh_from_db()
    assert interview.q6_avoid == ""

    # The server cannot be reached (the request fails), yet a reload keeps what was typed.
    page.route(
        "**/skjema/",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    page.context.set_offline(False)
    page.reload()
    assert avoid.input_value() == "Krigen og sykehus"
    page.get_by_text("Uten nett – lagret på telefonen").wait_for()
    interview.refresh_from_db()
    assert interview.q6_avoid == ""

    # Back online: the phone's copy is sent, once, and the status says it is saved.
    page.unroute("**/skjema/")
    page.context.set_offline(True)
    page.context.set_offline(False)
    page.get_by_text("Lagret kl.").wait_for()
    interview.refresh_from_db()
    assert interview.q6_avoid == "Krigen og sykehus"
    assert interview.km == 7

    # Delivered: the copy on the phone is gone.
    for group in page.locator("fieldset").all():
        yes = group.get_by_label("Ja", exact=True)
        if yes.count():
            yes.check()
    page.get_by_label("God match – start besøk med denne senioren").check()
    page.get_by_role("button", name="Fullfør og lever").click()
    page.get_by_text("Skjemaet er levert").wait_for()
    copies = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('autosave:')).length"
    )
    assert copies == 0
    assert str(MileageEntry.objects.get().km) == "7.0"


def test_a_save_lost_on_the_way_is_sent_again_without_more_typing(phone_without_service_worker):
    """On a poor connection the draft's request may fail once; the senior types nothing
    more, and the draft still reaches the server (the phone tries again by itself)."""
    page = phone_without_service_worker
    interview = open_the_form(page)
    failed: list[str] = []

    def drop_the_first_save(route):
        if route.request.method == "POST" and not failed:
            failed.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/skjema/", drop_the_first_save)
    page.get_by_label("Tema å unngå", exact=False).fill("Krigen")
    page.get_by_text("Lagret kl.").wait_for()
    assert failed, "the first save was not dropped"
    interview.refresh_from_db()
    assert interview.q6_avoid == "Krigen"
