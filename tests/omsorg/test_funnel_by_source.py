"""The intake funnel per source and per partner over a chosen period (issue 19)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers import services as customers
from customers.models import CareRecipient, StatusChange
from omsorg import funnel, services
from omsorg.models import InterviewStatus, Screening
from tests.factories import CareRecipientFactory, IntakeInterviewFactory

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
START, END = date(2026, 1, 1), date(2026, 3, 31)
IN_PERIOD = datetime(2026, 2, 10, 10, 0, tzinfo=OSLO)
# 31 December 23:30 in Oslo: the day before the period (22:30 UTC, so not by UTC either).
BEFORE = datetime(2025, 12, 31, 23, 30, tzinfo=OSLO)
LAST_EVENING = datetime(2026, 3, 31, 23, 30, tzinfo=OSLO)  # the period's last day, Oslo time


def recipient(
    cast, *, source="", partner=None, at=IN_PERIOD, reached=(), department=None, outcome=None
):
    """A recipient registered at `at` who reached the steps in `reached` (in any order: the
    funnel decides which count)."""
    made = CareRecipientFactory(
        department=department or cast.dept_a, inquiry_source=source, inquiry_partner=partner
    )
    CareRecipient.objects.filter(pk=made.pk).update(created_at=at)
    if "screened" in reached:
        Screening.objects.create(
            organization=cast.organization,
            recipient=made,
            outcome="passed",
            screened_by=cast.leader_a.user,
        )
    if "met" in reached:
        IntakeInterviewFactory(
            recipient=made,
            senior=cast.senior_a,
            status=InterviewStatus.COMPLETED,
            completed_at=at,
            outcome=outcome or ("good_match" if "matched" in reached else ""),
        )
    if "converted" in reached:
        StatusChange.objects.create(
            organization=cast.organization, recipient=made, from_status="", to_status="active"
        )
    return made


def partner(cast, name):
    return customers.partner_save(by=cast.admin, data={"name": name, "kind": "pensioners"})


@pytest.fixture
def examples(world):
    home = world.home
    frogner, baerum = partner(home, "Frogner frivilligsentral"), partner(home, "Bærum PF")
    every = ("screened", "met", "matched", "converted")
    recipient(home, source="family", reached=every)
    recipient(home, source="family", reached=("screened",))
    recipient(home, source="family", at=LAST_EVENING)
    recipient(home, source="family", at=BEFORE, reached=every)  # outside: not counted
    recipient(home, source="partner", partner=frogner, reached=("screened", "met"))
    recipient(home, source="partner", partner=frogner, reached=every)
    recipient(home, source="partner", partner=baerum)
    recipient(home, source="", reached=("screened",))  # an older row: unknown
    # A failed screening is not "screened, passed".
    failed = recipient(home, source="fair")
    Screening.objects.create(
        organization=home.organization,
        recipient=failed,
        outcome="not_passed",
        screened_by=home.leader_a.user,
    )
    # Another organization's recipients are never counted.
    recipient(world.other, source="family", reached=every)
    return home


def by_key(rows):
    return {r.key: (r.inquiries, *r.steps) for r in rows}


def test_each_source_counts_its_inquiries_and_steps_in_the_period(examples):
    rows = by_key(funnel.funnel_by_source(organization=examples.organization, start=START, end=END))
    assert rows["family"] == (3, 2, 1, 1, 1)
    assert rows["partner"] == (3, 2, 2, 1, 1)
    assert rows["fair"] == (1, 0, 0, 0, 0)
    assert rows["media"] == (0, 0, 0, 0, 0)
    assert rows[""] == (1, 1, 0, 0, 0)


def test_each_partner_counts_what_came_through_it(examples):
    rows = funnel.funnel_by_partner(organization=examples.organization, start=START, end=END)
    assert [(r.label, r.inquiries, *r.steps) for r in rows] == [
        ("Frogner frivilligsentral", 2, 2, 2, 1, 1),
        ("Bærum PF", 1, 0, 0, 0, 0),
    ]
    assert rows[0].converted_percent == 50


def test_a_period_that_holds_the_earlier_recipient_counts_it(examples):
    rows = by_key(
        funnel.funnel_by_source(
            organization=examples.organization, start=date(2025, 12, 31), end=END
        )
    )
    assert rows["family"] == (4, 3, 2, 2, 2)


def test_the_queries_do_not_grow_with_the_recipients(world):
    home = world.home
    frogner = partner(home, "Frogner")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            funnel.funnel_by_source(organization=home.organization, start=START, end=END)
            funnel.funnel_by_partner(organization=home.organization, start=START, end=END)
        return len(queries)

    recipient(home, source="partner", partner=frogner, reached=("screened",))
    few = count()
    for _n in range(6):
        recipient(home, source="partner", partner=frogner, reached=("screened", "met"))
        recipient(home, source="family", reached=("screened", "met", "matched", "converted"))
    assert count() == few


def test_the_page_shows_the_chart_with_numbers_and_the_table(examples, client_for):
    html = (
        client_for(examples.admin)
        .get("/tall/inntak/", {"fra": "01.01.2026", "til": "31.03.2026"})
        .content.decode()
    )
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert "<title" in svg
    assert "<desc" in svg
    assert 'role="img"' in svg
    # The numbers and the names are text in the chart, not only lengths and colours.
    texts = re.findall(r"<text[^>]*>([^<]+)</text>", svg)
    assert "Familie eller venner" in texts
    assert texts[
        texts.index("Familie eller venner") + 1 : texts.index("Familie eller venner") + 11
    ] == [
        "Henvendelser",
        "3",
        "Kartlagt, oppfyller kravene",
        "2",
        "Bli kjent gjennomført",
        "1",
        "God match",
        "1",
        "Aktive",
        "1",
    ]
    assert "Frogner frivilligsentral" in html
    assert "Brukere registrert fra og med 1. januar 2026 til og med 31. mars 2026." in html
    # The table: a row per source with the same numbers.
    row = re.search(r"<th scope=\"row\">Familie eller venner</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row) == ["3", "2", "1", "1", "1", "33 %", "0"]


def test_the_default_period_is_the_last_twelve_months():
    assert funnel.default_period(date(2026, 3, 10)) == (date(2025, 3, 11), date(2026, 3, 10))
    assert funnel.default_period(date(2028, 2, 29)) == (date(2027, 3, 1), date(2028, 2, 29))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"fra": "1.13.2026", "til": "31.03.2026"}, "Skriv datoen som dd.mm.åååå"),
        ({"fra": "31.03.2026", "til": "01.01.2026"}, "Til-datoen kan ikke være før fra-datoen."),
        ({"fra": "", "til": "31.03.2026"}, "Skriv en dato."),
    ],
)
def test_bad_dates_get_a_clear_message(world, client_for, query, message):
    response = client_for(world.home.lead).get("/tall/inntak/", query)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "Rett datoene over for å se tallene." in html
    assert "<svg" not in html


def test_the_csv_has_the_same_numbers(examples, client_for):
    response = client_for(examples.lead).get(
        "/tall/inntak.csv", {"fra": "2026-01-01", "til": "2026-03-31"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Gruppe",
        "Kilde",
        "Henvendelser",
        "Kartlagt, oppfyller kravene",
        "Bli kjent gjennomført",
        "God match",
        "Aktive",
        "Aktive utenom stegene",
    ]
    assert ["Kilde", "Familie eller venner", "3", "2", "1", "1", "1", "0"] in rows
    assert ["Samarbeidspartner", "Frogner frivilligsentral", "2", "2", "2", "1", "1", "0"] in rows


def test_the_csv_with_bad_dates_goes_back_to_the_page_with_the_message(world, client_for):
    client = client_for(world.home.lead)
    response = client.get("/tall/inntak.csv", {"fra": "x", "til": "31.03.2026"}, follow=True)
    assert "Skriv datoen som dd.mm.åååå" in response.content.decode()


def test_the_steps_table_follows_the_period(examples, client_for):
    html = (
        client_for(examples.admin)
        .get("/tall/inntak/", {"fra": "01.01.2026", "til": "31.03.2026"})
        .content.decode()
    )
    assert "<td>Henvendelser</td><td>8</td>" in html


# --- A true funnel (issue 22): each step only through the steps before it -------------------


def steps_table(html):
    """The steps table's rows as (label, count, percent)."""
    body = re.search(
        r'<section class="stack" aria-labelledby="h-steps">(.*?)</section>', html, re.S
    )
    return [
        (label, int(n), int(pct))
        for label, n, pct in re.findall(
            r"<tr><td>([^<]+)</td><td>(\d+)</td><td>(\d+) %</td>", body.group(1)
        )
    ]


@pytest.fixture
def skipped(world):
    """Six family inquiries in the period; four became active, only one through every step."""
    home = world.home
    every = ("screened", "met", "matched", "converted")
    recipient(home, source="family", reached=every)
    recipient(home, source="family", reached=("converted",))  # registered directly as active
    recipient(home, source="family", reached=("screened", "converted"))  # no Bli kjent
    # Bli kjent, but "try another senior", and then active all the same.
    recipient(
        home, source="family", reached=("screened", "met", "converted"), outcome="try_another"
    )
    recipient(home, source="family", reached=("met", "matched"))  # Bli kjent, never screened
    recipient(home, source="family", reached=("screened",))
    return home


def test_each_step_counts_only_those_who_came_through_the_steps_before(skipped):
    rows = by_key(funnel.funnel_by_source(organization=skipped.organization, start=START, end=END))
    assert rows["family"] == (6, 4, 2, 1, 1)
    family = next(
        r
        for r in funnel.funnel_by_source(organization=skipped.organization, start=START, end=END)
        if r.key == "family"
    )
    assert family.apart == 3  # active without every step: shown apart, never converted
    assert family.converted_percent == 17


def test_the_page_falls_step_by_step_and_shows_the_skipped_apart(skipped, client_for):
    html = (
        client_for(skipped.lead)
        .get("/tall/inntak/", {"fra": "01.01.2026", "til": "31.03.2026"})
        .content.decode()
    )
    assert steps_table(html) == [
        ("Henvendelser", 6, 100),
        ("Kartlagt, oppfyller kravene", 4, 67),
        ("Bli kjent gjennomført", 2, 33),
        ("God match", 1, 17),
        ("Aktive", 1, 17),
    ]
    assert (
        "Registrert som aktiv uten å ha gått gjennom stegene (uten bestått kartlegging, "
        "Bli kjent eller god match): 3 brukere. Ikke regnet som overgang."
    ) in html
    row = re.search(r"<th scope=\"row\">Familie eller venner</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row) == ["6", "4", "2", "1", "1", "17 %", "3"]


def test_the_steps_table_is_the_sum_of_the_sources(skipped, examples):
    org = skipped.organization
    since, until = funnel.period_bounds(START, END)
    steps = services.intake_funnel(organization=org, since=since, until=until)
    whole = funnel.total(funnel.funnel_by_source(organization=org, start=START, end=END))
    assert [s.count for s in steps] == [whole.inquiries, *whole.steps]
    counts = [s.count for s in steps]
    assert counts == sorted(counts, reverse=True)


def test_the_default_period_is_the_last_twelve_months_on_oslo_dates(world, client_for):
    home = world.home
    recipient(home, source="family", at=datetime(2025, 3, 10, 23, 30, tzinfo=OSLO))  # too old
    recipient(home, source="family", at=datetime(2025, 3, 11, 0, 30, tzinfo=OSLO))
    recipient(home, source="family", at=datetime(2026, 3, 10, 23, 30, tzinfo=OSLO))
    # 23:30 UTC on 10 March is already 11 March in Oslo: the period ends on 11 March.
    with time_machine.travel(datetime(2026, 3, 10, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        html = client_for(home.admin).get("/tall/inntak/").content.decode()
    assert "Brukere registrert fra og med 12. mars 2025 til og med 11. mars 2026." in html
    assert steps_table(html)[0] == ("Henvendelser", 1, 100)
    with time_machine.travel(datetime(2026, 3, 10, 12, 0, tzinfo=OSLO), tick=False):
        html = client_for(home.admin).get("/tall/inntak/").content.decode()
    assert steps_table(html)[0] == ("Henvendelser", 2, 100)


@pytest.fixture
def two_departments(world):
    home = world.home
    every = ("screened", "met", "matched", "converted")
    recipient(home, source="family", reached=every)
    recipient(home, source="family", reached=("converted",))
    recipient(home, source="family", department=home.dept_b, reached=every)
    recipient(home, source="media", department=home.dept_b, reached=("screened",))
    recipient(home, source="media", department=home.dept_b)
    return home


def test_the_department_filter_counts_only_its_recipients(two_departments, client_for):
    home = two_departments
    client = client_for(home.lead)
    asked = {"fra": "01.01.2026", "til": "31.03.2026", "avdeling": home.dept_b.pk}
    html = client.get("/tall/inntak/", asked).content.decode()
    assert f"Avdeling: {home.dept_b.name}." in html
    assert steps_table(html) == [
        ("Henvendelser", 3, 100),
        ("Kartlagt, oppfyller kravene", 2, 67),
        ("Bli kjent gjennomført", 1, 33),
        ("God match", 1, 33),
        ("Aktive", 1, 33),
    ]
    assert (
        "gjennom stegene (uten bestått kartlegging, Bli kjent eller god match): 0 brukere" in html
    )
    # The CSV link keeps the department, and the CSV counts the same.
    assert f"avdeling={home.dept_b.pk}" in html
    response = client.get("/tall/inntak.csv", asked)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert ["Kilde", "Familie eller venner", "1", "1", "1", "1", "1", "0"] in rows
    assert ["Kilde", "Facebook eller andre medier", "2", "1", "0", "0", "0", "0"] in rows
    # Every department: both, and the one made active directly is apart.
    with time_machine.travel(datetime(2026, 3, 31, 12, 0, tzinfo=OSLO), tick=False):
        html = client.get("/tall/inntak/", {"avdeling": ""}).content.decode()
    assert "Alle avdelinger." in html
    assert steps_table(html)[0] == ("Henvendelser", 5, 100)
    assert "god match): 1 bruker. Ikke regnet som overgang." in html


def test_another_organizations_department_is_refused(two_departments, world, client_for):
    html = (
        client_for(two_departments.admin)
        .get(
            "/tall/inntak/",
            {"fra": "01.01.2026", "til": "31.03.2026", "avdeling": world.other.dept_a.pk},
        )
        .content.decode()
    )
    assert "Velg en avdeling fra listen." in html
    assert "Rett datoene over for å se tallene." not in html
    assert "Velg en avdeling over for å se tallene." in html
    assert "<svg" not in html


@pytest.mark.parametrize(
    "query",
    [
        {"fra": "²", "til": "31.03.2026"},
        {"fra": "01.01.2026", "til": "99999-01-01"},
        {"fra": "01.01.2026\x00", "til": "31.03.2026"},
        {"fra": "01.01.2026", "til": "31.03.2026", "avdeling": "²"},
        {"fra": "01.01.2026", "til": "31.03.2026", "avdeling": "99999999999999999999"},
        {"fra": "01.01.2026", "til": "31.03.2026", "avdeling": "1\x00"},
        {"avdeling": "-1"},
    ],
)
def test_hostile_input_gets_a_message_never_a_500(world, client_for, query):
    client = client_for(world.home.lead)
    response = client.get("/tall/inntak/", query)
    assert response.status_code == 200
    html = response.content.decode()
    said = (
        "Skriv datoen som dd.mm.åååå",
        "Velg en avdeling fra listen.",
        "Null-tegn er ikke tillatt.",
    )
    assert any(message in html for message in said)
    assert "<svg" not in html
    response = client.get("/tall/inntak.csv", query, follow=True)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_the_page_asks_the_same_number_of_queries_whatever_the_recipients(world, client_for):
    home = world.home
    client = client_for(home.admin)
    asked = {"fra": "01.01.2026", "til": "31.03.2026", "avdeling": home.dept_a.pk}

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/tall/inntak/", asked).status_code == 200
        return len(queries)

    recipient(home, source="family", reached=("screened",))
    client.get("/tall/inntak/", asked)  # the session and caches warm
    few = count()
    for _n in range(5):
        recipient(home, source="family", reached=("screened", "met", "matched", "converted"))
        recipient(home, source="media", reached=("converted",))
    assert count() == few
