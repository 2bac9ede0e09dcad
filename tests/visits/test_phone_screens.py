"""The senior's screens on a 390×844 touch phone, as a senior walks them: a small header
with a menu, the agenda as home, nothing wider than the phone, calls set apart from the
visit's buttons, one request however often "Send SMS" is tapped, the SMS text visible with
its button, and the way to training for a senior not yet cleared (R6)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from messaging.models import SmsMessage
from omsorg.models import ServiceArea
from tests.conftest import make_cast
from tests.e2e.proof import axe_violations, small_targets
from tests.factories import CareRecipientFactory, VisitFactory
from tests.training.helpers import clear_for_assignment
from tests.visits.test_log_and_feedback_on_phone import log_in, started_visit_today
from training import services as training
from training.models import ModuleKind, TrainingModule
from visits.civil_time import local_datetime
from visits.models import VisitServiceArea

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_AREAS = (
    "Kvalitetsbesøk med fokus på fysisk og kognitiv trening",
    "Følgetjenester (lege, butikk, tur, frisør, tannlege og fotterapeut)",
)


def clean(page) -> None:
    """No serious axe finding, every control a finger-sized target, nothing off the side."""
    assert axe_violations(page) == []
    _measured, small = small_targets(page)
    assert small == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_the_senior_pages_fit_the_phone(phone, tmp_path_factory):
    cast = make_cast("Hjemme")
    visit = started_visit_today(cast)
    visit.recipient.phone = "+4791234567"
    visit.recipient.address, visit.recipient.postal_code, visit.recipient.city = (
        "Sporveisgata 8",
        "0354",
        "Oslo",
    )
    visit.recipient.save()
    for position, name in enumerate(LONG_AREAS):
        area = ServiceArea.objects.create(
            organization=cast.organization, name=name, position=position
        )
        VisitServiceArea.objects.create(
            organization=cast.organization, visit=visit, service_area=area
        )
    shots = tmp_path_factory.mktemp("phone-screens")
    page = phone

    # Logging in lands on today's visits, not on a menu of links.
    log_in(page, cast.senior_a)
    page.wait_for_url("**/mine-besok/")
    page.get_by_role("heading", name="Mine besøk", exact=True).wait_for()
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= 64
    nav_links = page.get_by_role("navigation", name="Hovedmeny").get_by_role("link")
    assert nav_links.count() == 0  # closed: nothing of the menu takes room
    page.get_by_text("Meny", exact=True).tap()
    menu = page.get_by_role("navigation", name="Hovedmeny")
    assert menu.get_by_role("link", name="Bli kjent").is_visible()
    assert menu.get_by_role("link", name="Opplæring").is_visible()
    page.screenshot(path=str(shots / "menu-open.png"))
    clean(page)
    page.get_by_text("Meny", exact=True).tap()
    page.goto("/")
    page.wait_for_url("**/mine-besok/")
    clean(page)
    page.screenshot(path=str(shots / "agenda.png"), full_page=True)

    # On the agenda and on the visit page, "Ring" is set apart from the visit's buttons.
    for url in ("/mine-besok/", f"/mine-besok/{visit.pk}/"):
        page.goto(url)
        report = page.get_by_role("link", name="Skriv besøksrapport").first.bounding_box()
        call = page.get_by_role("link", name="Ring 91 23 45 67").bounding_box()
        # Whichever comes first, the space between the two boxes.
        gap = max(
            call["y"] - (report["y"] + report["height"]),
            report["y"] - (call["y"] + call["height"]),
        )
        assert gap >= 16, (url, gap)

    # The visit page: the long service-area labels wrap; "Jeg er fremme" is there too.
    page.goto(f"/mine-besok/{visit.pk}/")
    assert page.get_by_text(LONG_AREAS[1]).is_visible()
    assert page.get_by_role("button", name="Jeg er fremme").is_visible()
    assert page.get_by_role("link", name="Før besøket").count() == 0
    clean(page)
    page.screenshot(path=str(shots / "visit.png"), full_page=True)

    for url in (
        f"/mine-besok/{visit.pk}/for/",
        "/mine-bli-kjent/",
        "/opplaering/",
        "/sms/mitt-samtykke/",
    ):
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
        name = url.strip("/").replace("/", "-") or "home"
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_send_sms_is_one_request_however_often_tapped_and_visible_at_once(
    phone_without_service_worker, tmp_path_factory
):
    cast = make_cast("Hjemme")
    visit = started_visit_today(cast)
    page = phone_without_service_worker
    log_in(page, cast.senior_a)
    page.goto(f"/mine-besok/{visit.pk}/for/")
    page.get_by_role("button", name="Lagre besøket").first.tap()
    page.get_by_role("heading", name="Tilbakemelding på SMS").wait_for()
    page.screenshot(path=str(tmp_path_factory.mktemp("sms") / "feedback.png"))
    clean(page)

    # The text, its fixed greeting and signature, and "Send SMS" without scrolling.
    text = page.get_by_label("Meldingen til Ingrid Ødegård (90 01 12 23)")
    send = page.get_by_role("button", name="Send SMS")
    for element in (text, send, page.locator("#sms-greeting"), page.locator("#sms-signature")):
        box = element.bounding_box()
        assert box["y"] >= 0
        assert box["y"] + box["height"] <= 844, element
    assert "Hei Ingrid!" in page.locator("#sms-greeting").inner_text()
    assert "Hei Ingrid!" not in text.input_value()

    # Hold the first request on its way (a slow connection) and tap again.
    held = []

    def hold(route):
        if route.request.method == "POST" and not route.request.headers.get("hx-request"):
            held.append(route)  # the form's own submit: kept waiting
        else:
            route.continue_()  # the preview (htmx) goes through

    page.route("**/tilbakemelding/", hold)
    box = send.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # While a navigation is pending Playwright's locators wait for it: the button tells
    # its state through the console instead.
    states: list[str] = []
    page.on("console", lambda message: states.append(message.text))
    page.evaluate(
        """() => {
        const b = [...document.querySelectorAll("form button[type=submit]")]
          .find(e => e.textContent.includes("Send SMS"));
        new MutationObserver(() => console.log(
          `busy=${b.getAttribute("aria-busy")} disabled=${b.disabled} text=${b.textContent}`
        )).observe(b, {attributes: true, childList: true, characterData: true, subtree: true});
      }"""
    )
    try:
        page.touchscreen.tap(x, y)
        page.wait_for_timeout(700)
        page.touchscreen.tap(x, y)
        page.wait_for_timeout(700)
        assert len(held) == 1  # the second tap sent nothing
        assert "busy=true disabled=true text=Lagrer…" in states
    finally:
        page.unroute("**/tilbakemelding/")
        for route in held:
            with contextlib.suppress(PlaywrightError):  # a request given up meanwhile
                route.continue_()
    page.get_by_text("Meldingen er sendt.").wait_for()
    assert SmsMessage.objects.filter(visit_id=visit.pk).count() == 1


def test_a_cancelled_submit_leaves_the_button_usable(phone):
    """data-confirm answered "no": nothing is sent and the button is not left busy."""
    cast = make_cast("Hjemme")
    page = phone
    log_in(page, cast.senior_a)
    page.goto("/mine-besok/kalender/")
    # A normal POST goes through (and makes the link the next form asks about).
    page.get_by_role("button", name="Lag kalenderlenke").tap()
    page.get_by_role("button", name="Lag ny lenke", exact=False).wait_for()
    page.on("dialog", lambda dialog: dialog.dismiss())
    button = page.locator("form[data-confirm] button[type=submit]").first
    label = button.inner_text()
    button.tap()
    page.wait_for_timeout(300)
    assert button.is_enabled()
    assert button.inner_text() == label


def test_a_senior_not_yet_cleared_is_shown_the_way_to_training(phone, tmp_path_factory):
    cast = make_cast("Hjemme")
    training.training_seed_defaults(organization=cast.organization)
    reading = (
        TrainingModule.objects.for_organization(cast.organization)
        .filter(is_active=True, kind=ModuleKind.READING)
        .first()
    )
    training.module_complete(membership=cast.senior_a, module=reading)
    page = phone
    log_in(page, cast.senior_a)
    page.wait_for_url("**/mine-besok/")
    card = page.get_by_role("region", name="Start med opplæringen")
    assert card.is_visible()
    card.get_by_role("link", name="Start med opplæringen").tap()
    page.wait_for_url("**/opplaering/")
    for name in ("Åpne igjen", "Skriv ut (PDF)"):
        link = page.get_by_role("link", name=name).first
        assert link.bounding_box()["height"] >= 44, name
    clean(page)
    page.screenshot(path=str(tmp_path_factory.mktemp("training") / "training.png"), full_page=True)

    # Once cleared, the card is gone.
    clear_for_assignment(cast.senior_a)
    page.goto("/mine-besok/")
    assert page.get_by_role("region", name="Start med opplæringen").count() == 0


def test_the_agenda_loads_no_unused_script(phone):
    """htmx is for the pages that use it; the agenda has none of it (a light first load)."""
    cast = make_cast("Hjemme")
    recipient = CareRecipientFactory(
        department=cast.dept_a, name="Åse Ødegård", status="active", seniors=[cast.senior_a]
    )
    VisitFactory(
        recipient=recipient,
        senior=cast.senior_a,
        starts_at=local_datetime(timezone.localdate() + dt.timedelta(days=1), dt.time(10)),
    )
    page = phone
    log_in(page, cast.senior_a)
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.goto("/mine-besok/")
    page.get_by_text("Åse Ødegård").first.wait_for()
    assert scripts  # app.js still comes
    assert [s for s in scripts if "htmx" in s] == []
