"""The senior's ICS feed: a secret, revocable address; what it says matches the database,
read back with a small independent parser (not the library that wrote it)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection

from seniorene.accounts.models import Membership
from tests.factories import CareRecipientFactory, VisitFactory
from tests.visits.conftest import make_plan, oslo
from visits.calendar_feed import calendar_feed_for, calendar_token
from visits.changes import visit_cancel, visit_move
from visits.civil_time import OSLO
from visits.models import CalendarFeed, Visit

pytestmark = pytest.mark.django_db
NOW = oslo(2026, 3, 16, 8, 0)


# --- An independent reader (RFC 5545, just what the test needs) -------------------------


def unfold(text: str) -> list[str]:
    assert "\r\n" in text, "iCalendar lines end with CRLF"
    lines: list[str] = []
    for raw in text.split("\r\n"):
        assert len(raw.encode()) <= 75, f"line longer than 75 octets: {raw!r}"
        if raw[:1] in (" ", "\t"):
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    return lines


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def parse_events(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(calendar properties, events) with property names upper-case, parameters dropped."""
    calendar: dict[str, str] = {}
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in unfold(text):
        head, value = line.split(":", 1)
        name = head.split(";", 1)[0].upper()
        if (name, value) == ("BEGIN", "VEVENT"):
            current = {}
        elif (name, value) == ("END", "VEVENT"):
            events.append(current)
            current = None
        elif current is not None:
            current[name] = unescape(value)
        else:
            calendar.setdefault(name, unescape(value))
    return calendar, events


def utc(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


# --- Tests ------------------------------------------------------------------------


def feed_url(membership: Membership) -> str:
    feed = calendar_feed_for(membership=membership)
    return f"/kalender/{calendar_token(feed)}.ics"


@time_machine.travel(NOW, tick=False)
def test_the_feed_matches_the_seniors_visits_in_the_database(world, client, planning):
    senior = world.home.senior_a
    planning.recipient.key_notes = "Nøkkel i boks, kode 4711"
    planning.recipient.save()
    plan = make_plan(world, planning.recipient, weekdays=(1,))  # crosses the March change
    visits = list(plan.visits.order_by("starts_at"))
    visit_move(visit=visits[0], by=world.home.leader_a, starts_at=oslo(2026, 3, 18, 9))
    visit_cancel(visit=visits[1], by=world.home.leader_a, kind="customer", reason="x")
    other = CareRecipientFactory(department=world.home.dept_a, name="Per, Ås; og co")
    VisitFactory(recipient=other, senior=senior, starts_at=oslo(2026, 3, 20, 10))
    VisitFactory(recipient=other, senior=world.home.senior_a2, starts_at=oslo(2026, 3, 20, 12))

    response = client.get(feed_url(senior))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar, events = parse_events(response.content.decode())
    assert calendar["VERSION"] == "2.0"
    assert calendar["X-WR-TIMEZONE"] == "Europe/Oslo"

    expected = Visit.objects.filter(senior=senior).exclude(status="cancelled")
    assert len(events) == expected.count() == 8  # 8 planned - 1 cancelled + 1 one-off
    by_uid = {e["UID"]: e for e in events}
    for visit in expected.select_related("recipient"):
        event = by_uid[f"visit-{visit.pk}@localhost:8000"]
        assert utc(event["DTSTART"]) == visit.starts_at
        assert utc(event["DTEND"]) == visit.ends_at
        assert event["SUMMARY"] == f"Besøk: {visit.recipient.name}"
        assert event["LOCATION"] == visit.recipient.full_address
        assert event["URL"].endswith(f"/mine-besok/{visit.pk}/")
    assert f"visit-{visits[1].pk}@localhost:8000" not in by_uid  # cancelled
    moved = by_uid[f"visit-{visits[0].pk}@localhost:8000"]
    assert utc(moved["DTSTART"]).astimezone(OSLO).hour == 9
    # 11.00 Oslo on both sides of the daylight-saving change.
    hours = {utc(e["DTSTART"]).astimezone(OSLO).hour for e in events}
    assert hours == {9, 10, 11}
    body = response.content.decode()
    assert "4711" not in body  # key notes stay in the app
    assert "+4722334455" not in body  # no phone numbers in calendars


def test_a_new_address_revokes_the_old_one(world, client, client_for):
    senior = world.home.senior_a
    old = feed_url(senior)
    assert client.get(old).status_code == 200
    response = client_for(senior).post("/mine-besok/kalender/ny-lenke/")
    assert response.status_code == 302
    assert client.get(old).status_code == 404
    assert client.get(feed_url(senior)).status_code == 200


def test_a_guessed_or_altered_address_is_not_found(world, client):
    url = feed_url(world.home.senior_a)
    key, mac = url.removeprefix("/kalender/").removesuffix(".ics").split("-")
    altered = mac[:-1] + ("0" if mac[-1] != "0" else "1")
    assert client.get(f"/kalender/{key}-{altered}.ics").status_code == 404
    assert client.get(f"/kalender/{'0' * 24}-{mac}.ics").status_code == 404
    assert client.get("/kalender/not-a-token.ics").status_code == 404


def test_a_deactivated_senior_has_no_feed(world, client):
    url = feed_url(world.home.senior_a)
    Membership.objects.filter(pk=world.home.senior_a.pk).update(is_active=False)
    assert client.get(url).status_code == 404


def test_the_database_holds_no_working_address(world):
    feed = calendar_feed_for(membership=world.home.senior_a)
    token = calendar_token(feed)
    stored = CalendarFeed.objects.filter(pk=feed.pk).values_list("key", flat=True).get()
    assert token != stored
    assert token.startswith(stored)
    assert len(token) > len(stored) + 30


def test_the_calendar_page_offers_the_address(world, client_for):
    client = client_for(world.home.senior_a)
    assert "Lag kalenderlenke" in client.get("/mine-besok/kalender/").content.decode()
    client.post("/mine-besok/kalender/ny-lenke/")
    html = client.get("/mine-besok/kalender/").content.decode()
    feed = CalendarFeed.objects.get(membership=world.home.senior_a)
    token = calendar_token(feed)
    assert f"webcal://localhost:8000/kalender/{token}.ics" in html
    assert f"http://localhost:8000/kalender/{token}.ics" in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security")
def test_the_feed_works_through_the_database_wall(world, client, settings, planning):
    with time_machine.travel(NOW, tick=False):
        make_plan(world, planning.recipient, weekdays=(1,))
        url = feed_url(world.home.senior_a)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {settings.DATABASE_APP_ROLE}")
    try:
        with time_machine.travel(NOW, tick=False):
            response = client.get(url)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert response.status_code == 200
    _calendar, events = parse_events(response.content.decode())
    assert len(events) == 8
