"""The monthly export for Tripletex: hours (Omsorg), km and outlays per employee and
project; Bli kjent is in it but never invoiced (R7); leaders get their departments only."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from customers.models import Customer
from ledger.export import COLUMNS
from ledger.models import EntrySource, Expense, MileageEntry, TimeEntry
from tests.factories import CareRecipientFactory

pytestmark = pytest.mark.django_db

NOVEMBER = date(2026, 11, 1)


@pytest.fixture
def entries(world):
    home = world.home
    a = CareRecipientFactory(department=home.dept_a, name="Åse Ødegård")
    b = CareRecipientFactory(department=home.dept_b, name="Bjørn Berg")
    customer_a = Customer.objects.create(
        organization=home.organization, recipient=a, kind="recipient", project_number="1001"
    )
    customer_b = Customer.objects.create(
        organization=home.organization, recipient=b, kind="municipality", name="=HYPERLINK(1)"
    )
    common = {"organization": home.organization, "source": EntrySource.VISIT}
    TimeEntry.objects.create(
        membership=home.senior_a,
        date=date(2026, 11, 3),
        hours=Decimal("1.50"),
        customer=customer_a,
        recipient=a,
        billable=True,
        source_id=1,
        **common,
    )
    MileageEntry.objects.create(
        membership=home.senior_a,
        date=date(2026, 11, 3),
        km=Decimal("12.5"),
        purpose="Omsorg",
        customer=customer_a,
        recipient=a,
        billable=True,
        source_id=1,
        **common,
    )
    Expense.objects.create(
        membership=home.senior_a,
        date=date(2026, 11, 3),
        amount=Decimal("89.90"),
        description="-Notatbok",
        customer=customer_a,
        recipient=a,
        billable=True,
        source_id=1,
        **common,
    )
    # Bli kjent: paid, never invoiced, no customer (R7).
    TimeEntry.objects.create(
        organization=home.organization,
        membership=home.senior_a,
        date=date(2026, 11, 20),
        hours=Decimal("1"),
        billable=False,
        source=EntrySource.INTAKE,
        source_id=7,
    )
    # Another department, and another month.
    TimeEntry.objects.create(
        membership=home.senior_b,
        date=date(2026, 11, 4),
        hours=Decimal("2"),
        customer=customer_b,
        recipient=b,
        billable=True,
        source_id=2,
        **common,
    )
    TimeEntry.objects.create(
        membership=home.senior_a,
        date=date(2026, 10, 31),
        hours=Decimal("3"),
        customer=customer_a,
        recipient=a,
        billable=True,
        source_id=3,
        **common,
    )


def download(client, month: str = "2026-11"):
    response = client.post("/besok/eksport/", {"month": month})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="tripletex-{month}.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel in Norway reads æøå right
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_lead_exports_every_entry_of_the_month(world, client_for, entries):
    rows = download(client_for(world.home.lead))
    assert tuple(rows[0]) == COLUMNS
    body = [dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]]
    assert len(body) == 5  # October's hours are not in November
    hours = next(r for r in body if r["Type"] == "Timer" and r["Prosjektnummer"] == "1001")
    assert (hours["Dato"], hours["Antall"], hours["Aktivitet/formål"], hours["Fakturerbar"]) == (
        "03.11.2026",
        "1,5",
        "Omsorg",
        "Ja",
    )
    km = next(r for r in body if r["Type"] == "Kilometer")
    assert (km["Antall"], km["Enhet"], km["Kunde"]) == ("12,5", "km", "Åse Ødegård")
    outlay = next(r for r in body if r["Type"] == "Utlegg")
    assert (outlay["Beløp"], outlay["Prosjektnummer"]) == ("89,9", "1001")
    assert outlay["Beskrivelse"] == "'-Notatbok"  # never a spreadsheet formula
    intake = next(r for r in body if r["Fakturerbar"] == "Nei")
    assert (intake["Prosjektnummer"], intake["Kunde"]) == ("", "")
    other = next(r for r in body if r["Kunde"].endswith("(1)"))
    assert other["Kunde"] == "'=HYPERLINK(1)"


def test_rows_come_per_employee_then_project(world, client_for, entries):
    rows = download(client_for(world.home.lead))[1:]
    keys = [(r[0].casefold(), r[4]) for r in rows]
    assert keys == sorted(keys)


def test_a_leader_exports_their_own_departments_only(world, client_for, entries):
    rows = download(client_for(world.home.leader_a))[1:]
    employees = {r[1] for r in rows}
    assert employees == {world.home.senior_a.user.email}
    assert len(rows) == 4  # hours, km, outlay and Bli kjent of senior_a


def test_the_page_sums_per_employee_and_project(world, client_for, entries):
    html = client_for(world.home.lead).get("/besok/eksport/", {"month": "2026-11"}).content.decode()
    assert "November 2026" in html
    assert "Last ned CSV (5 rader)" in html
    assert "mangler prosjektnummer" in html  # Bjørn's customer has none


def test_a_bad_month_gets_a_clear_message(world, client_for):
    response = client_for(world.home.lead).get("/besok/eksport/", {"month": "november"})
    assert response.status_code == 400
    assert "Skriv måneden som åååå-mm" in response.content.decode()


def test_seniors_and_admins_cannot_export(world, client_for):
    assert client_for(world.home.senior_a).get("/besok/eksport/").status_code == 403
    assert client_for(world.home.admin).get("/besok/eksport/").status_code == 403
