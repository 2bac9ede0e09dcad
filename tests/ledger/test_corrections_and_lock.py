"""Issue 22: correcting a logged visit (who, until when, the trail), km and outlays entered
by hand (never invoiced), rows without a customer (flagged, never exported), and the month
locked by its download (correction rows in the next export; the sums stay right).

Every moment is fixed (time_machine), in Oslo time."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from customers.models import Customer
from ledger.export import COLUMNS, month_export
from ledger.models import Expense, LedgerCorrection, MileageEntry, MonthLock, TimeEntry
from ledger.services import visit_hours
from seniorene.audit.models import AuditEvent
from tests.factories import CareRecipientFactory, VisitFactory
from tests.visits.helpers import PNG_PIXEL
from visits.corrections import CorrectionFields, visit_correct, why_not
from visits.logging import visit_log_submit
from visits.models import VisitLog

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO)


@pytest.fixture
def astrid(world):
    recipient = CareRecipientFactory(
        department=world.home.dept_a, name="Astrid Ødegaard", status="active"
    )
    Customer.objects.create(
        organization=world.home.organization,
        recipient=recipient,
        kind="recipient",
        project_number="1001",
    )
    return recipient


def logged(senior, recipient, starts_at, *, minutes=90, km=None, outlay=None):
    """A visit at `starts_at`, logged by its senior half an hour after it ended, with the
    planned times, `km` and an outlay (with its receipt photo) if given."""
    visit = VisitFactory(
        recipient=recipient, senior=senior, starts_at=starts_at, duration_minutes=minutes
    )
    receipt = None
    if outlay:
        receipt = SimpleUploadedFile("kvittering.png", PNG_PIXEL, content_type="image/png")
    with time_machine.travel(visit.ends_at + timedelta(minutes=30), tick=False):
        visit_log_submit(
            visit=visit,
            by=senior,
            submission_key=uuid.uuid4(),
            checked_in_at=visit.starts_at,
            checked_out_at=visit.ends_at,
            km=km,
            expense_amount=outlay,
            expense_description="Notatbok" if outlay else "",
            receipt=receipt,
        )
    return visit


def correction(visit, **changes):
    log = VisitLog.objects.get(visit=visit)
    data = {
        "checked_in": f"{log.checked_in_at.astimezone(OSLO):%H:%M}",
        "checked_out": f"{log.checked_out_at.astimezone(OSLO):%H:%M}",
        "km": "",
        "expense_amount": "",
        "expense_description": "",
        "reason": "Skrev feil",
    }
    data.update(changes)
    return data


def fields(visit, *, arrived: time, left: time, km=None, reason="Skrev feil", confirmed=False):
    day = visit.starts_at.astimezone(OSLO).date()
    return CorrectionFields(
        checked_in_at=datetime.combine(day, arrived, tzinfo=OSLO),
        checked_out_at=datetime.combine(day, left, tzinfo=OSLO),
        km=km,
        expense_amount=None,
        expense_description="",
        reason=reason,
        confirmed=confirmed,
    )


# --- Who may correct what, and when ---------------------------------------------------


def test_the_senior_corrects_their_visit_and_the_trail_keeps_old_value_who_and_why(
    world, client_for, astrid
):
    senior = world.home.senior_a
    visit = logged(
        senior, astrid, oslo(2026, 11, 10, 10, 0), km=Decimal("12"), outlay=Decimal("89.90")
    )
    assert TimeEntry.objects.get().hours == Decimal("1.5")
    with time_machine.travel(oslo(2026, 11, 12, 9, 0), tick=False):
        client = client_for(senior)
        page = client.get(f"/mine-besok/{visit.pk}/").content.decode()
        assert f"/mine-besok/{visit.pk}/rett/" in page  # reachable from the logged visit
        response = client.post(
            f"/mine-besok/{visit.pk}/rett/",
            correction(
                visit,
                checked_out="12:00",
                km="20",
                expense_amount="89,90",
                expense_description="Notatbok",
                reason="Ble igjen og hjalp med middagen",
            ),
        )
    assert response.status_code == 302
    log = VisitLog.objects.get(visit=visit)
    assert log.checked_out_at == oslo(2026, 11, 10, 12, 0)
    assert TimeEntry.objects.get().hours == Decimal("2")  # visit_hours of 10.00–12.00
    assert MileageEntry.objects.get().km == Decimal("20")
    assert Expense.objects.get().amount == Decimal("89.90")  # unchanged, no row about it
    trail = {c.field: c for c in LedgerCorrection.objects.all()}
    assert set(trail) == {"checked_out_at", "hours", "km"}
    assert (trail["checked_out_at"].old_value, trail["checked_out_at"].new_value) == (
        "10.11.2026 11.30",
        "10.11.2026 12.00",
    )
    assert (trail["hours"].old_value, trail["hours"].new_value) == ("1,5", "2")
    assert (trail["km"].old_value, trail["km"].new_value) == ("12", "20")
    for c in trail.values():
        assert c.changed_by == senior.user
        assert c.reason == "Ble igjen og hjalp med middagen"
        assert c.changed_at == oslo(2026, 11, 12, 9, 0)
        assert not c.after_lock
    event = AuditEvent.objects.get(action="visit.corrected")
    assert event.actor == senior.user
    assert event.details["fields"] == "checked_out_at,hours,km"
    assert "middagen" not in str(event.details)  # the reason stays on the correction rows


def test_a_correction_needs_a_reason(world, client_for, astrid):
    visit = logged(world.home.senior_a, astrid, oslo(2026, 11, 10, 10, 0))
    with time_machine.travel(oslo(2026, 11, 11, 9, 0), tick=False):
        response = client_for(world.home.senior_a).post(
            f"/mine-besok/{visit.pk}/rett/", correction(visit, checked_out="12:00", reason="")
        )
    assert response.status_code == 422
    assert "Skriv hvorfor du retter." in response.content.decode()
    assert TimeEntry.objects.get().hours == Decimal("1.5")


def test_after_seven_days_the_senior_sees_why_not_and_whom_to_ask(world, client_for, astrid):
    visit = logged(world.home.senior_a, astrid, oslo(2026, 11, 10, 10, 0))
    with time_machine.travel(oslo(2026, 11, 17, 9, 0), tick=False):  # 7 days less an hour
        assert why_not(visit, world.home.senior_a) == ""
    with time_machine.travel(oslo(2026, 11, 17, 11, 0), tick=False):
        client = client_for(world.home.senior_a)
        page = client.get(f"/mine-besok/{visit.pk}/rett/").content.decode()
        response = client.post(
            f"/mine-besok/{visit.pk}/rett/", correction(visit, checked_out="12:00")
        )
    assert "mer enn 7 dager siden besøket" in page
    assert "Ring eller skriv til lederen din" in page
    assert "/mine-besok/hvem-ringer-jeg/" in page
    assert response.status_code == 403
    assert TimeEntry.objects.get().hours == Decimal("1.5")
    assert not LedgerCorrection.objects.exists()


def test_a_senior_cannot_correct_another_seniors_visit(world, client_for, astrid):
    visit = logged(world.home.senior_a, astrid, oslo(2026, 11, 10, 10, 0))
    other = world.home.senior_a2  # the same department
    with time_machine.travel(oslo(2026, 11, 11, 9, 0), tick=False):
        assert client_for(other).get(f"/mine-besok/{visit.pk}/rett/").status_code == 404
        with pytest.raises(ValidationError, match="dine egne besøk"):
            visit_correct(
                visit=visit, by=other, fields=fields(visit, arrived=time(10), left=time(12))
            )
    assert not LedgerCorrection.objects.exists()


def test_the_leader_of_the_department_corrects_at_any_time_another_department_cannot(
    world, client_for, astrid
):
    visit = logged(world.home.senior_a, astrid, oslo(2026, 11, 10, 10, 0))
    with time_machine.travel(oslo(2026, 11, 28, 9, 0), tick=False):  # long after 7 days
        assert client_for(world.home.leader_b).get(f"/besok/{visit.pk}/rett/").status_code == 404
        with pytest.raises(ValidationError, match="lederen for avdelingen"):
            visit_correct(
                visit=visit,
                by=world.home.leader_b,
                fields=fields(visit, arrived=time(10), left=time(12)),
            )
        client = client_for(world.home.leader_a)
        assert f"/besok/{visit.pk}/rett/" in client.get(f"/besok/{visit.pk}/").content.decode()
        response = client.post(f"/besok/{visit.pk}/rett/", correction(visit, checked_in="10:30"))
    assert response.status_code == 302
    assert TimeEntry.objects.get().hours == Decimal("1")
    assert set(LedgerCorrection.objects.values_list("changed_by", flat=True)) == {
        world.home.leader_a.user_id
    }


def test_times_far_from_the_plan_are_asked_about_never_billed_silently(world, client_for, astrid):
    visit = logged(world.home.senior_a, astrid, oslo(2026, 11, 10, 10, 0))
    url = f"/besok/{visit.pk}/rett/"
    with time_machine.travel(oslo(2026, 11, 11, 9, 0), tick=False):
        client = client_for(world.home.leader_a)
        asked = client.post(url, correction(visit, checked_in="00:21"))
        assert asked.status_code == 422
        assert "Stemmer det?" in asked.content.decode()
        assert TimeEntry.objects.get().hours == Decimal("1.5")  # nothing stored
        refused = client.post(url, correction(visit, checked_in="11:00", checked_out="10:00"))
        assert "må være etter tidspunktet du kom" in refused.content.decode()
        confirmed = client.post(url, correction(visit, checked_in="00:21", confirm="on"))
    assert confirmed.status_code == 302
    # 00.21–11.30, as the log's own rule counts it (visit_hours).
    assert TimeEntry.objects.get().hours == visit_hours(
        checked_in_at=oslo(2026, 11, 10, 0, 21), checked_out_at=oslo(2026, 11, 10, 11, 30)
    )
    log = VisitLog.objects.get(visit=visit)
    assert log.many_hours  # stands on Følg opp
    assert log.many_hours_seen_at is None


# --- Entries by hand: km for the service, the Bli kjent notebook -----------------------


def read(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert tuple(rows[0]) == COLUMNS
    return [dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]]


def test_the_bli_kjent_notebook_is_paid_never_invoiced_also_in_the_file(world, client_for):
    senior = world.home.senior_a
    with time_machine.travel(oslo(2026, 11, 12, 9, 0), tick=False):
        client = client_for(senior)
        assert "/mine-besok/km-og-utlegg/" in client.get("/mine-besok/tidligere/").content.decode()
        response = client.post(
            "/mine-besok/km-og-utlegg/",
            {"kind": "intake_expense", "day": "2026-11-11", "amount": "59", "description": ""},
        )
        assert response.status_code == 302
        no_purpose = client.post(
            "/mine-besok/km-og-utlegg/", {"kind": "km", "day": "2026-11-11", "km": "14"}
        )
        assert no_purpose.status_code == 422
        assert "Skriv hva du kjørte for." in no_purpose.content.decode()
        client.post(
            "/mine-besok/km-og-utlegg/",
            {"kind": "km", "day": "2026-11-11", "km": "14", "purpose": "Hentet medisiner"},
        )
    outlay = Expense.objects.get()
    assert (outlay.billable, outlay.customer, outlay.source) == (False, None, "manual")
    assert outlay.description == "Notatbok til Bli kjent-møte"
    km = MileageEntry.objects.get()
    assert (km.km, km.purpose, km.billable, km.customer) == (
        Decimal("14"),
        "Hentet medisiner",
        False,
        None,
    )
    with time_machine.travel(oslo(2026, 12, 1, 9, 0), tick=False):
        rows = read(client_for(world.home.lead).post("/besok/eksport/", {"month": "2026-11"}))
    notebook = next(r for r in rows if r["Type"] == "Utlegg")
    assert (notebook["Fakturerbar"], notebook["Prosjektnummer"], notebook["Kunde"]) == (
        "Nei",
        "",
        "",
    )
    assert notebook["Beløp"] == "59"
    assert {r["Fakturerbar"] for r in rows} == {"Nei"}


def test_the_senior_enters_for_7_days_back_the_leader_for_their_seniors_only(world, client_for):
    with time_machine.travel(oslo(2026, 11, 20, 9, 0), tick=False):
        old = client_for(world.home.senior_a).post(
            "/mine-besok/km-og-utlegg/",
            {"kind": "km", "day": "2026-11-10", "km": "5", "purpose": "Teammøte"},
        )
        assert "Du kan føre for de siste 7 dagene" in old.content.decode()
        leader = client_for(world.home.leader_a)
        page = leader.get("/besok/eksport/for-hand/").content.decode()
        assert world.home.senior_a.user.name in page
        assert world.home.senior_b.user.name not in page
        refused = leader.post(
            "/besok/eksport/for-hand/",
            {
                "senior": world.home.senior_b.pk,
                "kind": "km",
                "day": "2026-11-10",
                "km": "5",
                "purpose": "x",
            },
        )
        assert refused.status_code == 422
        done = leader.post(
            "/besok/eksport/for-hand/",
            {
                "senior": world.home.senior_a.pk,
                "kind": "km",
                "day": "2026-11-10",
                "km": "5",
                "purpose": "Teammøte",
            },
        )
    assert done.status_code == 302
    entry = MileageEntry.objects.get()
    assert (entry.membership, entry.billable) == (world.home.senior_a, False)
    assert AuditEvent.objects.get(action="ledger.manual_km").actor == world.home.leader_a.user


# --- No customer: flagged, never exported silently ------------------------------------


def test_a_visit_without_a_customer_is_flagged_not_exported_until_the_customer_exists(
    world, client_for
):
    nobody = CareRecipientFactory(department=world.home.dept_a, name="Uten Kunde", status="active")
    logged(world.home.senior_a, nobody, oslo(2026, 11, 10, 10, 0))
    entry = TimeEntry.objects.get()
    assert (entry.billable, entry.customer) == (True, None)
    lead = client_for(world.home.lead)
    with time_machine.travel(oslo(2026, 12, 1, 9, 0), tick=False):
        page = lead.get("/besok/eksport/", {"month": "2026-11"}).content.decode()
        assert "Mangler kunde" in page
        assert "Uten Kunde" in page
        assert read(lead.post("/besok/eksport/", {"month": "2026-11"})) == []
    Customer.objects.create(
        organization=world.home.organization,
        recipient=nobody,
        kind="recipient",
        project_number="2002",
    )
    with time_machine.travel(oslo(2027, 1, 2, 9, 0), tick=False):
        assert read(lead.post("/besok/eksport/", {"month": "2026-11"})) == []  # the same file
        december = read(lead.post("/besok/eksport/", {"month": "2026-12"}))
    assert len(december) == 1
    late = december[0]
    assert (late["Dato"], late["Antall"], late["Prosjektnummer"], late["Fakturerbar"]) == (
        "10.11.2026",
        "1,5",
        "2002",
        "Ja",
    )
    assert late["Merknad"] == "Ført etter at november 2026 ble sendt"


# --- The month, locked ----------------------------------------------------------------


def totals(*files: list[dict[str, str]]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = {}
    for rows in files:
        for r in rows:
            value = r["Antall"] or r["Beløp"]
            sums[r["Type"]] = sums.get(r["Type"], Decimal(0)) + Decimal(value.replace(",", "."))
    return sums


def test_a_correction_after_the_download_goes_in_the_next_file_and_the_sums_stay_right(
    world, client_for, astrid
):
    senior = world.home.senior_a
    november = logged(senior, astrid, oslo(2026, 11, 28, 10, 0), km=Decimal("12"))
    logged(senior, astrid, oslo(2026, 12, 3, 10, 0), minutes=60)
    lead = client_for(world.home.lead)
    with time_machine.travel(oslo(2026, 12, 1, 8, 0), tick=False):
        first = lead.post("/besok/eksport/", {"month": "2026-11"}).content
    nov = read_bytes(first)
    assert totals(nov) == {"Timer": Decimal("1.5"), "Kilometer": Decimal("12")}
    locks = MonthLock.objects.filter(month="2026-11-01")
    assert {lock.department_id for lock in locks} == {
        world.home.dept_a.pk,
        world.home.dept_b.pk,
        None,
    }
    with time_machine.travel(oslo(2026, 12, 2, 9, 0), tick=False):
        # Within 7 days, but the month is sent: the senior is told to ask the leader.
        assert "allerede sendt til Tripletex" in why_not(november, senior)
        page = client_for(senior).get(f"/mine-besok/{november.pk}/rett/").content.decode()
        assert "Ring eller skriv til lederen din" in page
        visit_correct(
            visit=november,
            by=world.home.leader_a,
            fields=fields(november, arrived=time(10), left=time(12), km=Decimal("20")),
        )
        assert LedgerCorrection.objects.filter(after_lock=True).count() == 3
        # The same month again: the same file, nothing changed in it.
        assert lead.post("/besok/eksport/", {"month": "2026-11"}).content == first
        page = lead.get("/besok/eksport/", {"month": "2026-11"}).content.decode()
        assert "Endret etter nedlastingen" in page
    with time_machine.travel(oslo(2027, 1, 2, 9, 0), tick=False):
        page = lead.get("/besok/eksport/", {"month": "2026-12"}).content.decode()
        assert "Nytt siden forrige nedlasting" in page
        dec = read(lead.post("/besok/eksport/", {"month": "2026-12"}))
        again = read(lead.post("/besok/eksport/", {"month": "2026-12"}))
    assert again == dec
    notes = sorted((r["Dato"], r["Type"], r["Antall"], r["Merknad"]) for r in dec)
    assert notes == [
        ("03.12.2026", "Timer", "1", ""),
        (
            "28.11.2026",
            "Kilometer",
            "-12",
            "Tilbakeføring av raden sendt i filen for november 2026",
        ),
        (
            "28.11.2026",
            "Kilometer",
            "20",
            "Rettet verdi, erstatter raden sendt i filen for november 2026",
        ),
        ("28.11.2026", "Timer", "-1,5", "Tilbakeføring av raden sendt i filen for november 2026"),
        (
            "28.11.2026",
            "Timer",
            "2",
            "Rettet verdi, erstatter raden sendt i filen for november 2026",
        ),
    ]
    # Both files together: the corrected November (2 h, 20 km) and December (1 h).
    assert totals(nov, dec) == {"Timer": Decimal("3"), "Kilometer": Decimal("20")}
    # Nothing is left to send.
    assert (
        month_export(
            organization_id=world.home.organization.pk, month=oslo(2026, 12, 1).date()
        ).pending
        == []
    )


def read_bytes(content: bytes) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8")[1:]), delimiter=";"))
    return [dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]]


def test_a_leaders_download_locks_their_department_only(world, client_for, astrid):
    logged(world.home.senior_a, astrid, oslo(2026, 11, 10, 10, 0))
    with time_machine.travel(oslo(2026, 12, 1, 9, 0), tick=False):
        rows = read(client_for(world.home.leader_a).post("/besok/eksport/", {"month": "2026-11"}))
    assert len(rows) == 1
    lock = MonthLock.objects.get()
    assert (lock.department, lock.locked_by, lock.locked_at) == (
        world.home.dept_a,
        world.home.leader_a.user,
        oslo(2026, 12, 1, 9, 0),
    )


def test_a_visit_at_23_30_on_the_31st_belongs_to_that_month(world, astrid):
    logged(world.home.senior_a, astrid, oslo(2026, 12, 31, 23, 30), minutes=30)
    assert TimeEntry.objects.get().date.isoformat() == "2026-12-31"
    org = world.home.organization.pk
    assert len(month_export(organization_id=org, month=oslo(2026, 12, 1).date()).rows) == 1
    assert month_export(organization_id=org, month=oslo(2027, 1, 1).date()).rows == []


@pytest.mark.parametrize("in_department", [True, False])
def test_a_month_is_locked_once_per_department_and_once_without_one(world, in_department):
    """Held by the database on PostgreSQL and the embedded SQLite alike (two partial unique
    constraints: "no department" is one lock too, not a new one each time)."""
    home = world.home
    lock = {
        "organization": home.organization,
        "department": home.dept_a if in_department else None,
        "month": date(2026, 11, 1),
        "locked_by": home.leader_a.user,
        "locked_at": datetime(2026, 12, 1, 9, tzinfo=OSLO),
    }
    MonthLock.objects.create(**lock)
    MonthLock.objects.create(**{**lock, "month": date(2026, 12, 1)})
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthLock.objects.create(**lock)
