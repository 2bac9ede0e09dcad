"""Offline, for real, in Chromium on a 390×844 touch phone with the real service worker:
a visit logged in a basement flat is sent once the phone is back online, also after the
app was closed; tomorrow's visit reads without a network; a refusal says what to do; an
unkept page is a friendly page; logging out clears the phone."""

from __future__ import annotations

import contextlib
import datetime as dt
import struct
import time
import zlib

import pytest
from django.utils import timezone

from ledger.models import Expense
from omsorg.models import IntakeInterview, InterviewStatus
from tests.conftest import make_cast
from tests.e2e.proof import axe_violations, small_targets
from tests.visits.test_log_and_feedback_on_phone import log_in, started_visit_today
from visits.changes import visit_cancel
from visits.civil_time import local_datetime
from visits.models import CancelKind, VisitLog, VisitStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "nb-NO",
    "timezone_id": "Europe/Oslo",
}
KEPT = """async () => {
  const cache = await caches.open("seniorene-pages");
  return (await cache.keys()).map(r => new URL(r.url).pathname);
}"""
QUEUED = """() => new Promise(resolve => {
  const open = indexedDB.open("seniorene-offline", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("reports", { keyPath: "key" });
  open.onsuccess = () => {
    const get = open.result.transaction("reports").objectStore("reports").getAll();
    get.onsuccess = () => { resolve(get.result.map(i => i.state)); open.result.close(); };
  };
})"""


@pytest.fixture
def phone_app(browser_type, browser_type_launch_args, live_server, tmp_path):
    """Open the phone's browser with a profile on disk: closing it and opening it again
    keeps the service worker, its caches and IndexedDB, as on a real phone."""
    opened = []

    def open_browser():
        context = browser_type.launch_persistent_context(
            str(tmp_path / "profile"),
            **browser_type_launch_args,
            **PHONE,
            base_url=live_server.url,
        )
        context.set_default_timeout(15_000)
        opened.append(context)
        return context

    yield open_browser
    for context in opened:
        with contextlib.suppress(Exception):  # already closed by the test
            context.close()


def page_of(context):
    return context.pages[0] if context.pages else context.new_page()


def logout_button(page):
    """The phone's "Logg ut" sits in the header's "Meny": open it first."""
    menu = page.locator("details.site-menu")
    if not menu.evaluate("d => d.open"):
        page.locator("summary.site-menu__toggle").tap()
    return page.locator("details.site-menu").get_by_role("button", name="Logg ut")


def wait_until(check, *, seconds: float = 15) -> None:
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.2)


def wait_kept(page, *paths: str) -> None:
    end = time.monotonic() + 15
    while not set(paths) <= set(page.evaluate(KEPT)):
        assert time.monotonic() < end, page.evaluate(KEPT)
        page.wait_for_timeout(200)


def big_photo_png(width: int = 3000, height: int = 2000) -> bytes:
    """A 3000×2000 photo of a receipt (as a phone camera makes them: too big to upload)."""
    row = b"\x00" + bytes([200, 190, 170]) * width
    raw = zlib.compress(row * height, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's frame header."""
    assert data[:3] == b"\xff\xd8\xff", "not a JPEG"
    i = 2
    while i < len(data):
        marker, length = data[i + 1], int.from_bytes(data[i + 2 : i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            return int.from_bytes(data[i + 7 : i + 9], "big"), height
        i += 2 + length
    raise AssertionError("no frame header")


def visit_tomorrow(cast, recipient):
    from tests.factories import VisitFactory

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return VisitFactory(
        recipient=recipient, senior=cast.senior_a, starts_at=local_datetime(tomorrow, dt.time(11))
    )


def open_agenda_and_keep_pages(page, *paths: str) -> None:
    page.goto("/mine-besok/")
    page.get_by_role("heading", name="Mine besøk").wait_for()
    page.wait_for_function("navigator.serviceWorker.controller !== null || true")
    wait_kept(page, "/mine-besok/", *paths)


def test_a_visit_logged_offline_arrives_once_after_the_app_was_closed(phone_app, tmp_path):
    cast = make_cast("Hjemme")
    visit = started_visit_today(cast)
    log_url = f"/mine-besok/{visit.pk}/for/"
    photo = tmp_path / "kvittering.png"
    photo.write_bytes(big_photo_png())

    context = phone_app()
    page = page_of(context)
    log_in(page, cast.senior_a)
    open_agenda_and_keep_pages(page, f"/mine-besok/{visit.pk}/", log_url)

    # In the basement flat: no network. The log form still opens (the phone's copy).
    context.set_offline(True)
    page.goto(log_url)
    page.get_by_role("heading", name="Besøk hos Åse Ødegård").wait_for()
    page.get_by_label("Notatbok: hva gikk bra?").fill("Vi løste kryssord")
    page.get_by_text("Kilometer og utlegg", exact=True).tap()
    page.get_by_label("Utlegg i kroner, f.eks. notatboken").fill("49")
    page.get_by_label("Bilde av kvitteringen").set_input_files(str(photo))
    page.get_by_role("button", name="Lagre besøket").first.tap()
    page.get_by_text("Venter på nett – rapporten sendes når du har nett.").wait_for()
    assert page.evaluate(QUEUED) == ["waiting"]
    page.screenshot(path=str(tmp_path / "waiting-log.png"), full_page=True)
    back = page.get_by_role("link", name="Til Mine besøk")
    assert back.bounding_box()["height"] >= 44
    back.tap()
    # The agenda (the phone's copy) shows the visit waiting.
    row = page.locator(f"[data-visit-id='{visit.pk}']")
    row.get_by_text("Venter på nett").wait_for()
    waiting = "1 rapport venter på nett. Den sendes av seg selv når du har nett."
    assert page.get_by_text(waiting).is_visible()
    page.screenshot(path=str(tmp_path / "waiting-agenda.png"), full_page=True)
    assert not VisitLog.objects.exists()

    # The senior closes the app; later, with a network again, opens it.
    page.close()
    context.close()
    context = phone_app()
    page = page_of(context)
    page.goto("/mine-besok/")
    # Not "remembered": the session ended with the browser. The login page keeps the report.
    assert "/konto/login/" in page.url
    page.get_by_text("1 rapport venter på nett. Logg inn igjen, så sendes rapportene.").wait_for()
    assert page.evaluate(QUEUED) == ["waiting"]
    # Logging in lands on the agenda, which sends the report and reloads itself (offline.js):
    # no page.goto here, which that reload would abort (net::ERR_ABORTED) on a slow machine.
    log_in(page, cast.senior_a)
    wait_until(lambda: VisitLog.objects.filter(visit=visit).exists())
    page.get_by_text("Rapporten er sendt. Takk!").wait_for()
    assert page.evaluate(QUEUED) == []
    # More loads, the online event: still the one log.
    page.reload()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(1000)
    log = VisitLog.objects.get(visit=visit)
    assert log.went_well == "Vi løste kryssord"
    visit.refresh_from_db()
    assert visit.status == VisitStatus.LOGGED
    row = page.locator(f"[data-visit-id='{visit.pk}']")
    assert row.get_by_text("Gjennomført").is_visible()
    assert row.get_by_text("Venter på nett").count() == 0
    # The receipt photo was scaled down on the phone, even while offline.
    expense = Expense.objects.get(source_id=visit.pk)
    with expense.receipt.open("rb") as f:
        width, height = jpeg_size(f.read())
    assert max(width, height) <= 1600
    assert (width, height) == (1600, 1067)
    page.screenshot(path=str(tmp_path / "sent.png"), full_page=True)


def test_a_receipt_photo_is_scaled_down_before_an_online_upload(phone_app, tmp_path):
    cast = make_cast("Hjemme")
    visit = started_visit_today(cast)
    photo = tmp_path / "kvittering.png"
    photo.write_bytes(big_photo_png(2000, 4000))
    page = page_of(phone_app())
    log_in(page, cast.senior_a)
    page.goto(f"/mine-besok/{visit.pk}/for/")
    page.get_by_text("Kilometer og utlegg", exact=True).tap()
    page.get_by_label("Utlegg i kroner, f.eks. notatboken").fill("49")
    page.get_by_label("Bilde av kvitteringen").set_input_files(str(photo))
    page.get_by_role("button", name="Lagre besøket").first.tap()
    page.get_by_role("heading", name="Tilbakemelding på SMS").wait_for()  # the next step
    assert page.get_by_text("Besøket er ført. Takk!").is_visible()
    expense = Expense.objects.get(source_id=visit.pk)
    with expense.receipt.open("rb") as f:
        assert jpeg_size(f.read()) == (800, 1600)


def test_tomorrows_visit_reads_offline_with_its_address_and_the_interviews_warnings(
    phone_app, tmp_path
):
    cast = make_cast("Hjemme")
    today = started_visit_today(cast)
    recipient = today.recipient
    recipient.address, recipient.postal_code, recipient.city = "Thereses gate 12", "0452", "Oslo"
    recipient.save()
    IntakeInterview.objects.create(
        organization=cast.organization,
        recipient=recipient,
        senior=cast.senior_a,
        starts_at=timezone.now() - dt.timedelta(days=7),
        booked_by=cast.leader_a.user,
        status=InterviewStatus.COMPLETED,
        completed_at=timezone.now() - dt.timedelta(days=7),
        completed_by=cast.senior_a.user,
        q6_avoid="Krigen",
        q8_falls="Falt på badet i fjor vinter",
    )
    tomorrow = visit_tomorrow(cast, recipient)
    context = phone_app()
    page = page_of(context)
    log_in(page, cast.senior_a)
    open_agenda_and_keep_pages(
        page, f"/mine-besok/{tomorrow.pk}/", f"/mine-besok/{tomorrow.pk}/for/"
    )

    context.set_offline(True)
    page.goto("/mine-besok/")
    row = page.locator(f"[data-visit-id='{tomorrow.pk}']")
    row.get_by_role("link", name="Åse Ødegård", exact=True).tap()
    page.wait_for_url(f"**/mine-besok/{tomorrow.pk}/")
    assert page.get_by_role("link", name="Kart: Thereses gate 12, 0452 Oslo").is_visible()
    # What the Bli kjent interview learned comes along: the falls and what to avoid.
    warning = page.get_by_text("Falt på badet i fjor vinter")
    assert warning.is_visible()
    assert page.get_by_text("Krigen").is_visible()

    # A page the phone did not keep: a friendly page, never the browser's error page.
    page.goto("/mine-besok/kalender/")
    page.get_by_role("heading", name="Du er uten nett").wait_for()
    page.screenshot(path=str(tmp_path / "offline.png"), full_page=True)
    assert axe_violations(page) == []
    measured, small = small_targets(page)
    assert measured >= 2
    assert small == []
    page.get_by_role("link", name="Til Mine besøk").tap()
    page.get_by_role("heading", name="Mine besøk").wait_for()

    # Nothing waits: logging out goes at once, and the phone keeps none of the pages.
    context.set_offline(False)
    page.on("dialog", lambda dialog: pytest.fail(f"asked: {dialog.message}"))
    logout_button(page).click()
    page.wait_for_url(lambda url: "/mine-besok/" not in url)
    end = time.monotonic() + 10
    while page.evaluate("caches.keys()"):
        assert time.monotonic() < end, page.evaluate("caches.keys()")
        page.wait_for_timeout(200)


def test_a_report_the_server_refuses_says_what_to_do_and_can_be_discarded(phone_app, tmp_path):
    cast = make_cast("Hjemme")
    visit = started_visit_today(cast)
    context = phone_app()
    page = page_of(context)
    log_in(page, cast.senior_a)
    open_agenda_and_keep_pages(page, f"/mine-besok/{visit.pk}/for/")
    context.set_offline(True)
    page.goto(f"/mine-besok/{visit.pk}/for/")
    page.get_by_role("button", name="Lagre besøket").first.tap()
    page.get_by_text("Venter på nett – rapporten sendes når du har nett.").wait_for()

    # Meanwhile the leader cancels the visit.
    visit_cancel(visit=visit, by=cast.leader_a, kind=CancelKind.CUSTOMER, reason="Syk")
    context.set_offline(False)
    page.goto("/mine-besok/")
    alert = page.get_by_role("alert")
    alert.get_by_text("Besøket ble avlyst før rapporten kom fram. Ring lederen din.").wait_for()
    assert "En rapport ble ikke tatt imot" in alert.inner_text()
    assert page.evaluate(QUEUED) == ["refused"]
    page.screenshot(path=str(tmp_path / "refused.png"), full_page=True)
    assert axe_violations(page) == []
    discard = alert.get_by_role("button", name="Slett rapporten fra telefonen")
    assert discard.bounding_box()["height"] >= 44
    page.once("dialog", lambda dialog: dialog.accept())
    discard.tap()
    page.get_by_role("alert").wait_for(state="detached")
    assert page.evaluate(QUEUED) == []
    assert not VisitLog.objects.exists()


def test_logging_out_clears_the_phone_but_asks_first_when_reports_wait(phone_app):
    cast = make_cast("Hjemme")
    visit = started_visit_today(cast)
    context = phone_app()
    page = page_of(context)
    log_in(page, cast.senior_a)
    open_agenda_and_keep_pages(page, f"/mine-besok/{visit.pk}/for/")
    context.set_offline(True)
    page.goto(f"/mine-besok/{visit.pk}/for/")
    page.get_by_role("button", name="Lagre besøket").first.tap()
    page.get_by_text("Venter på nett – rapporten sendes når du har nett.").wait_for()
    # Cancelled while the phone is still offline: back online, the phone may send at once
    # (the online event), and the report must meet a cancelled visit, not log it.
    visit_cancel(visit=visit, by=cast.leader_a, kind=CancelKind.OTHER, reason="Test")
    context.set_offline(False)
    page.goto("/mine-besok/")  # the refused report stays on the phone
    page.get_by_role("alert").wait_for()

    asked = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    logout = logout_button(page)
    page.once("dialog", lambda d: answer(d, False))
    logout.click()
    page.wait_for_timeout(500)
    assert asked == ["1 rapport venter på nett. Logger du ut, slettes de. Vil du logge ut likevel?"]
    assert "/mine-besok/" in page.url  # still logged in, nothing cleared
    assert page.evaluate(QUEUED) == ["refused"]

    page.once("dialog", lambda d: answer(d, True))
    logout.click()
    page.wait_for_url(lambda url: "/mine-besok/" not in url)
    page.wait_for_load_state("load")
    assert page.evaluate("caches.keys()") == []
    assert page.evaluate(QUEUED) == []
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('draft:'))") == []
    # Logged out, the senior's pages are not served from the phone.
    context.set_offline(True)
    page.goto("/mine-besok/")
    page.get_by_role("heading", name="Du er uten nett").wait_for()
