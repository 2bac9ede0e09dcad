"""The app on the phone: the manifest, the service worker from the site root, the offline
page, and the log's answers to the phone's fetch (JSON), a repeat above all."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, time

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from tests.factories import CareRecipientFactory, VisitFactory
from visits.changes import visit_cancel
from visits.models import CancelKind, VisitLog, VisitStatus

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def visit(world):
    recipient = CareRecipientFactory(
        department=world.home.dept_a, status="active", name="Åse Ødegård"
    )
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time(0, 0)))
    return VisitFactory(recipient=recipient, senior=world.home.senior_a, starts_at=midnight)


def post(client, visit, *, headers=JSON, **data):
    payload = {
        "happened": "1",
        "submission_key": str(uuid.uuid4()),
        "checked_in": "00:00",
        "checked_out": "00:45",
        "went_well": "Vi spilte kort.",
    }
    payload.update(data)
    return client.post(f"/mine-besok/{visit.pk}/for/", payload, **headers)


def png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as f:
        head = f.read(24)
    assert head.startswith(b"\x89PNG")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def test_the_manifest_makes_the_app_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "Seniorene Omsorg"
    assert data["short_name"]
    assert data["display"] == "standalone"
    assert data["start_url"] == "/"
    assert data["theme_color"] == "#0b5e56"
    icons = {(i["sizes"], i.get("purpose", "any")): i["src"] for i in data["icons"]}
    assert set(icons) == {
        ("192x192", "any"),
        ("512x512", "any"),
        ("192x192", "maskable"),
        ("512x512", "maskable"),
    }
    for (sizes, _purpose), src in icons.items():
        path = finders.find(src.removeprefix("/static/"))
        assert path, src
        side = int(sizes.split("x")[0])
        assert png_size(path) == (side, side)


def test_every_page_links_the_manifest_and_the_icons(client):
    html = client.get("/konto/login/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#0b5e56">' in html
    assert 'rel="apple-touch-icon"' in html
    assert '<meta name="offline-user" content="">' in html


def test_a_senior_page_says_who_may_keep_pages(world, client_for):
    senior = world.home.senior_a
    html = client_for(senior).get("/mine-besok/").content.decode()
    assert f'<meta name="offline-user" content="senior:{senior.user.pk}">' in html
    html = client_for(world.home.leader_a).get("/hjem/").content.decode()
    assert '<meta name="offline-user" content="other">' in html


def test_the_service_worker_is_served_from_the_root_for_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    config = json.loads(re.search(r"const CONFIG = (\{.*?\});\n", source).group(1))
    assert config["offline"] == "/uten-nett/"
    assert "/static/css/app.css" in config["static"]
    assert "/static/js/offline-queue.js" in config["static"]
    # Only the senior's agenda, visit pages and log forms are kept.
    pages = [re.compile(p) for p in config["pages"]]

    def kept(path: str) -> bool:
        return any(p.search(path) for p in pages)

    assert kept("/mine-besok/")
    assert kept("/mine-besok/12/")
    assert kept("/mine-besok/12/for/")
    for other in ("/besok/uke/", "/mine-besok/12/tilbakemelding/", "/brukere/", "/hjem/"):
        assert not kept(other), other
    assert 'request.method !== "GET"' in source  # posts are never intercepted


def test_the_offline_page_is_friendly_and_public(client):
    response = client.get("/uten-nett/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Du er uten nett" in html
    assert 'href="/mine-besok/"' in html


def test_a_log_sent_by_the_phone_is_answered_in_json(world, client_for, visit):
    client = client_for(world.home.senior_a)
    response = post(client, visit)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "next": "/mine-besok/"}
    visit.refresh_from_db()
    assert visit.status == VisitStatus.LOGGED
    # The message waits for the next page the senior opens.
    assert "Besøket er ført. Takk!" in client.get("/mine-besok/").content.decode()


def test_the_queue_sending_a_stored_report_again_gets_success_and_one_log(world, client_for, visit):
    client = client_for(world.home.senior_a)
    key = str(uuid.uuid4())
    queued = {**JSON, "HTTP_X_OFFLINE_QUEUE": "1"}
    first = post(client, visit, submission_key=key, headers=queued)
    again = post(client, visit, submission_key=key, headers=queued)
    assert first.status_code == again.status_code == 200
    assert again.json()["ok"] is True
    assert VisitLog.objects.filter(visit=visit).count() == 1
    # Sent in the background: no "ført" message turns up later on some page.
    assert "Besøket er ført" not in client.get("/mine-besok/").content.decode()


def test_a_report_for_a_visit_cancelled_meanwhile_is_refused_clearly(world, client_for, visit):
    visit_cancel(visit=visit, by=world.home.leader_a, kind=CancelKind.CUSTOMER, reason="Syk")
    response = post(client_for(world.home.senior_a), visit)
    assert response.status_code == 409
    assert response.json() == {
        "ok": False,
        "error": "Besøket ble avlyst før rapporten kom fram. Ring lederen din.",
    }
    assert not VisitLog.objects.exists()


def test_a_different_report_for_a_visit_already_logged_is_refused(world, client_for, visit):
    client = client_for(world.home.senior_a)
    assert post(client, visit).status_code == 200
    response = post(client, visit)  # another submission key
    assert response.status_code == 409
    assert "allerede ført" in response.json()["error"]
    assert VisitLog.objects.count() == 1


def test_a_wrong_report_is_refused_with_the_form_errors(world, client_for, visit):
    response = post(client_for(world.home.senior_a), visit, checked_in="00:30", checked_out="x")
    assert response.status_code == 422
    assert response.json()["ok"] is False
    assert "Gikk" in response.json()["error"] or "gikk" in response.json()["error"]
    assert not VisitLog.objects.exists()


def test_the_plain_form_post_still_works_without_the_script(world, client_for, visit):
    client = client_for(world.home.senior_a)
    key = str(uuid.uuid4())
    first = post(client, visit, submission_key=key, headers={})
    again = post(client, visit, submission_key=key, headers={})
    assert first.status_code == 302
    assert first["Location"] == "/mine-besok/"
    assert again.status_code == 302  # a double tap lands on the visit, not an error
    assert VisitLog.objects.count() == 1


def test_many_hours_sent_by_the_phone_are_asked_about_and_kept_after_a_yes(
    world, client_for, visit
):
    client = client_for(world.home.senior_a)
    key = str(uuid.uuid4())
    queued = {**JSON, "HTTP_X_OFFLINE_QUEUE": "1"}
    asked = post(client, visit, submission_key=key, checked_out="10:39", headers=queued)
    assert asked.status_code == 422
    assert asked.json()["confirm"] == "confirm_hours"
    assert "Stemmer det?" in asked.json()["error"]
    assert not VisitLog.objects.exists()
    # The agenda's "Ja, timene stemmer" sends the same report again with the answer.
    yes = post(
        client, visit, submission_key=key, checked_out="10:39", confirm_hours="on", headers=queued
    )
    assert yes.status_code == 200
    assert VisitLog.objects.get(visit=visit).many_hours is True
