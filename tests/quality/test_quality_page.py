"""The quality page (issue 22): each figure against a count of what was built, the previous
period beside it, department scoping, the charts and their tables, the CSV, a fixed number
of queries, and what is done with an address it does not understand."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quality.figures import MONTH, WEEK, Period
from tests.quality.helpers import NOW, build_world

pytestmark = pytest.mark.django_db

URL = "/tall/kvalitet/"
SVG = "{http://www.w3.org/2000/svg}"


def get(client, **params) -> str:
    with time_machine.travel(NOW, tick=False):
        response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, key: str) -> str:
    found = re.search(rf'<section[^>]*aria-labelledby="h-{key}">(.*?)</section>', html, re.S)
    assert found, f"no section {key}"
    return found.group(1)


def table(html: str, key: str) -> dict[str, tuple[str, str, str]]:
    """The section's table: row name → (this period, the one before, the change)."""
    body = re.search(rf'<table class="table" id="table-{key}">(.*?)</table>', html, re.S)
    assert body, f"no table {key}"
    rows = re.findall(
        r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>',
        body.group(1),
    )
    return {htmllib.unescape(r[0]): tuple(htmllib.unescape(c) for c in r[1:]) for r in rows}


def chart(html: str, key: str) -> ET.Element:
    found = re.search(r"<svg.*?</svg>", section(html, key), re.S)
    assert found, f"no chart in {key}"
    return ET.fromstring(found.group(0))  # noqa: S314 - our own page, not untrusted


@pytest.fixture
def built(world):
    build_world(world.home)
    return world.home


def test_each_figure_of_a_department_is_the_count_of_what_happened(built, client_for):
    html = get(client_for(built.admin), avdeling=built.dept_a.pk, periode=MONTH, dag="2026-03-18")
    assert f"Avdeling: {built.dept_a.name}." in html
    visits = table(html, "besok")
    # Eight in March (the one cancelled by a plan change is not counted; the last evening
    # of March is, the first night of April is not); three in February.
    assert visits["Planlagt"] == ("8", "3", "+5")
    # 31 March has not come yet: done is measured against the seven whose time has come.
    assert visits["Herav tiden kommet"] == ("7", "3", "+4")
    assert visits["Gjennomført"] == ("2", "2", "0")
    # Two of the three logs were written within two hours after the visit's end.
    assert visits["Ført i tide"] == ("2", "2", "0")
    assert visits["Ble ikke noe av"] == ("1", "0", "+1")
    assert visits["Avlyst"] == ("2", "1", "+1")
    assert visits["Lukket uten rapport"] == ("1", "0", "+1")
    # 10 March has passed unlogged; 31 March has not come yet.
    assert visits["Ikke ført ennå"] == ("1", "0", "+1")
    cancelled = table(html, "avlyst")
    assert cancelled["Avlyst av kunden"] == ("1", "1", "0")
    assert cancelled["Avlyst av senioren"] == ("1", "0", "+1")
    assert "Besøksplanen er endret" not in cancelled
    key = table(html, "nokkeltall")
    assert key["Besøk gjennomført av dem som skulle vært"] == ("29 %", "67 %", "−38 %")
    assert key["Ført i tide"] == ("67 %", "100 %", "−33 %")
    assert key["Meldinger til leder: timer til svar (median)"] == ("27", "–", "–")
    assert key["Evaluering: andel som svarte"] == ("100 %", "0 %", "+100 %")
    assert key["Evaluering: fornøydhet (snitt, 1–5)"] == ("4", "–", "–")
    sms = table(html, "sms")
    assert sms["SMS laget"] == ("6", "1", "+5")  # the reminder SMS is not feedback
    assert sms["Sendt"] == ("3", "0", "+3")
    assert sms["Levert"] == ("2", "0", "+2")
    assert sms["Feilet eller stoppet"] == ("2", "1", "+1")
    assert sms["Svar fra pårørende"] == ("2", "0", "+2")
    assert sms["Svar fra brukeren"] == ("1", "0", "+1")
    assert sms["Svar behandlet"] == ("1", "0", "+1")
    concerns = table(html, "meldinger")
    assert concerns["Meldt"] == ("3", "0", "+3")
    assert concerns["Besvart"] == ("2", "0", "+2")
    assert concerns["Besvart innen 24 timer"] == ("1", "0", "+1")
    assert concerns["Ikke besvart ennå"] == ("1", "0", "+1")
    evaluations = table(html, "evaluering")
    assert evaluations["Sendt"] == ("1", "1", "0")
    assert evaluations["Besvart"] == ("1", "0", "+1")
    assert evaluations["Fornøydhet 4 av 5"] == ("1", "0", "+1")
    assert evaluations["Hjelper besøkene? Ja"] == ("1", "0", "+1")
    meetings = table(html, "bli-kjent")
    assert meetings["Gjennomført"] == ("2", "0", "+2")
    assert meetings["God match – start besøk med denne senioren"] == ("1", "0", "+1")
    assert meetings["Brukeren takker nei"] == ("1", "0", "+1")
    assert meetings["Prøv en annen senior"] == ("0", "0", "0")
    assert meetings["Avtalt, ikke holdt ennå"] == ("1", "0", "+1")
    assert meetings["Avlyst"] == ("1", "0", "+1")
    hours = table(html, "timer")
    assert hours["Besøk"] == ("3,5 t", "1 t", "+2,5 t")
    assert hours["Bli kjent-møte"] == ("1 t", "0 t", "+1 t")
    assert hours["Registrert for hånd"] == ("0,5 t", "0 t", "+0,5 t")
    assert hours["Timer i alt"] == ("5 t", "1 t", "+4 t")
    km = table(html, "km")
    assert km["Besøk"] == ("12,5 km", "0 km", "+12,5 km")
    assert km["Bli kjent-møte"] == ("8 km", "0 km", "+8 km")


def test_admin_and_the_lead_see_every_department_a_leader_only_their_own(built, client_for):
    for who in (built.admin, built.lead):
        html = get(client_for(who))
        assert "Alle avdelinger." in html
        assert table(html, "besok")["Gjennomført"] == ("3", "2", "+1")  # B's one too
        assert table(html, "timer")["Timer i alt"] == ("8 t", "1 t", "+7 t")
        assert table(html, "meldinger")["Meldt"] == ("4", "0", "+4")
    html = get(client_for(built.leader_a))
    assert f"{built.dept_a.name}." in html
    assert table(html, "besok")["Gjennomført"] == ("2", "2", "0")
    assert table(html, "meldinger")["Meldt"] == ("3", "0", "+3")
    html = get(client_for(built.leader_b))
    assert table(html, "besok")["Gjennomført"] == ("1", "0", "+1")
    assert table(html, "timer")["Timer i alt"] == ("3 t", "0 t", "+3 t")
    assert table(html, "sms")["SMS laget"] == ("0", "0", "0")


def test_a_leader_cannot_ask_for_another_department_by_the_address(built, world, client_for):
    leader = client_for(built.leader_a)
    for foreign in (built.dept_b.pk, world.other.dept_a.pk, 99999999, "²", "-1"):
        html = get(leader, avdeling=foreign)
        assert "Avdelingen finnes ikke blant dine: viser alle dine avdelinger." in html
        assert table(html, "besok")["Gjennomført"] == ("2", "2", "0")
        assert built.dept_b.name not in html
    # Admin may not reach another organization's department either.
    html = get(client_for(built.admin), avdeling=world.other.dept_a.pk)
    assert "Avdelingen finnes ikke blant dine" in html
    assert table(html, "besok")["Gjennomført"] == ("3", "2", "+1")


def test_a_senior_may_not_see_the_page(built, client_for):
    with time_machine.travel(NOW, tick=False):
        assert client_for(built.senior_a).get(URL).status_code == 403
        assert client_for(built.senior_a).get("/tall/kvalitet.csv").status_code == 403


def test_a_week_is_monday_to_sunday_beside_the_week_before(built, client_for):
    html = get(client_for(built.leader_a), periode=WEEK, dag="2026-03-04")
    assert "Denne perioden: 2.–8. mars 2026. Forrige periode: 23. februar–1. mars 2026." in html
    visits = table(html, "besok")
    # 2–6 March: two logged, one not happened, two cancelled (and 9 March is next week).
    assert visits["Planlagt"] == ("5", "1", "+4")  # 28 February 23.00 is the week before
    assert visits["Gjennomført"] == ("2", "1", "+1")
    assert "uke 10, 2026" in html
    assert "uke 9, 2026" in html


def test_an_address_it_does_not_understand_shows_this_month(built, client_for):
    client = client_for(built.admin)
    for asked in (
        {"periode": "år", "dag": "2026-13-45", "avdeling": "x"},
        {"dag": "0001-01-01"},
        {"dag": "9999-12-31", "periode": WEEK},
        {"dag": "\x00"},
    ):
        html = get(client, **asked)
        assert "Denne perioden: 1.–31. mars 2026" in html or "uke 12, 2026" in html
        assert 'role="alert"' in html
    html = get(client, periode="år")
    assert "Ukjent periode: viser en måned." in html
    assert table(html, "besok")["Planlagt"] == ("9", "3", "+6")


def test_each_chart_is_an_image_with_a_title_and_its_table_right_under_it(built, client_for):
    html = get(client_for(built.admin), avdeling=built.dept_a.pk)
    for key in ("besok", "avlyst", "sms", "meldinger", "evaluering", "bli-kjent", "timer", "km"):
        part = section(html, key)
        assert part.index("<svg") < part.index("<table"), key
        svg = chart(html, key)
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None
        assert title.text
        assert desc is not None
        assert "skravert for februar 2026" in desc.text
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        texts = svg.findall(f"{SVG}text")
        groups = [t.text for t in texts if t.get("x") == "0"]
        periods = [t.text for t in texts if t.get("text-anchor") == "end"]
        values = [t.text for t in texts if t.get("font-weight") == "bold" and t.get("x") != "0"]
        rows = table(html, key)
        # The chart draws the table's rows, this period then the one before, with their numbers.
        assert groups == list(rows)
        assert periods == ["mars 2026", "februar 2026"] * len(rows)
        assert values == [v for row in rows.values() for v in row[:2]]
        # Not colour alone: the previous period's bars are hatched, this period's solid.
        bars = [r for r in svg.iter(f"{SVG}rect") if r.get("height") == "18"]
        hatch = f"url(#chart-{key}-hatch)"
        assert all(r.get("fill") in ("#1d4f91", hatch) for r in bars)
        assert all(r.get("stroke") for r in bars if r.get("fill") == hatch)
        if key == "besok":
            assert {r.get("fill") for r in bars} == {"#1d4f91", hatch}
    # The key figures (percentages) are a table only.
    assert "<svg" not in section(html, "nokkeltall")
    assert table(html, "nokkeltall")


def test_the_csv_holds_every_table_of_the_page(built, client_for):
    with time_machine.travel(NOW, tick=False):
        response = client_for(built.leader_a).get(
            "/tall/kvalitet.csv", {"periode": MONTH, "dag": "2026-03-01"}
        )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="kvalitet-maned-2026-03-01.csv"' in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0] == [
        "Avdeling",
        "Område",
        "Tall",
        "Denne perioden (1.–31. mars 2026)",
        "Forrige periode (1.–28. februar 2026)",
        "Endring",
    ]
    name = built.dept_a.name
    assert [name, "Besøk", "Planlagt", "8", "3", "5"] in rows
    assert [name, "Nøkkeltall", "Ført i tide (%)", "67", "100", "-33"] in rows
    assert [name, "Timer", "Besøk (t)", "3,5", "1", "2,5"] in rows
    # No answered concern in February: no median, an empty cell (not a dash) for Excel.
    median = "Meldinger til leder: timer til svar (median)"
    assert [name, "Nøkkeltall", median, "27", "", ""] in rows
    assert [name, "Avlyste besøk: hvem avlyste", "Avlyst av kunden", "1", "1", "0"] in rows
    assert [name, "Meldinger til leder («Noe lederen bør vite»)", "Meldt", "3", "0", "3"] in rows


def test_a_department_name_cannot_become_a_formula_in_the_csv(world, client_for):
    world.home.dept_a.name = "=HYPERLINK(1)"
    world.home.dept_a.save()
    with time_machine.travel(NOW, tick=False):
        body = client_for(world.home.leader_a).get("/tall/kvalitet.csv").content.decode()
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert all(r[0] == "'=HYPERLINK(1)" for r in rows[1:])


def _queries(client, built) -> int:
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"avdeling": built.dept_a.pk}).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_data(world, client_for):
    from tests.conftest import make_cast

    small, large = world.home, make_cast("Stor")
    build_world(small)
    build_world(large, times=3)
    small_count = _queries(client_for(small.admin), small)
    large_count = _queries(client_for(large.admin), large)
    html = get(client_for(large.admin), avdeling=large.dept_a.pk)
    assert table(html, "besok")["Gjennomført"] == ("6", "2", "+4")  # the data did grow
    assert small_count == large_count
    assert large_count <= 45


def test_periods_follow_the_calendar():
    january = Period.of(MONTH, date(2026, 1, 20))
    assert (january.start, january.end) == (date(2026, 1, 1), date(2026, 1, 31))
    assert (january.previous.start, january.previous.end) == (date(2025, 12, 1), date(2025, 12, 31))
    week = Period.of(WEEK, date(2026, 3, 29))  # a Sunday, the night summer time begins
    assert (week.start, week.end) == (date(2026, 3, 23), date(2026, 3, 29))
    assert week.previous.start == date(2026, 3, 16)
    assert week.following.start == date(2026, 3, 30)
    lo, hi = week.bounds()
    # One hour less that week, in real time.
    assert (hi.astimezone(UTC) - lo.astimezone(UTC)).total_seconds() == 7 * 24 * 3600 - 3600
