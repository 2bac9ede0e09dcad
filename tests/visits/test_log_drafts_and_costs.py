"""The visit log keeps a draft while the senior types, and registers km and the outlay
(with the receipt photo) on the customer's project in the same step."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from customers.models import Customer
from ledger.models import EntrySource, Expense, MileageEntry, TimeEntry
from tests.factories import CareRecipientFactory, VisitFactory
from tests.training.helpers import clear_for_assignment
from tests.visits.helpers import PNG_PIXEL
from visits.models import VisitLog, VisitLogDraft

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(world):
    recipient = CareRecipientFactory(department=world.home.dept_a, status="active")
    Customer.objects.create(
        organization=world.home.organization,
        recipient=recipient,
        kind="recipient",
        project_number="P-1001",
    )
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time(0, 0)))
    return VisitFactory(recipient=recipient, senior=world.home.senior_a, starts_at=midnight)


def log_url(visit) -> str:
    return f"/mine-besok/{visit.pk}/for/"


def payload(**data) -> dict:
    base = {
        "happened": "1",
        "submission_key": str(uuid.uuid4()),
        "checked_in": "00:00",
        "checked_out": "01:00",
        "went_well": "Vi spilte kort.",
        "could_change": "",
        "expense_description": "Notatbok",
    }
    base.update(data)
    return base


def receipt() -> SimpleUploadedFile:
    return SimpleUploadedFile("kvittering.png", PNG_PIXEL, content_type="image/png")


def test_what_is_typed_is_saved_as_a_draft_and_shown_again(world, client_for, visit):
    client = client_for(world.home.senior_a)
    key = str(uuid.uuid4())
    saved = client.post(
        f"/mine-besok/{visit.pk}/for/utkast/",
        {"submission_key": key, "went_well": "Vi bakte boller", "done_areas": []},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200
    assert "Utkast lagret" in saved.content.decode()
    # The phone was locked; the page is opened again.
    html = client.get(log_url(visit)).content.decode()
    assert "Vi bakte boller" in html
    assert key in html  # the same submission key, so a retry cannot log twice


def test_logging_the_visit_removes_the_draft(world, client_for, visit):
    client = client_for(world.home.senior_a)
    client.post(f"/mine-besok/{visit.pk}/for/utkast/", {"went_well": "Utkast"})
    assert VisitLogDraft.objects.filter(visit=visit).exists()
    assert client.post(log_url(visit), payload()).status_code == 302
    assert not VisitLogDraft.objects.filter(visit=visit).exists()
    assert VisitLog.objects.get().went_well == "Vi spilte kort."


def test_no_draft_is_kept_for_a_visit_already_logged(world, client_for, visit):
    client = client_for(world.home.senior_a)
    client.post(log_url(visit), payload())
    late = client.post(f"/mine-besok/{visit.pk}/for/utkast/", {"went_well": "for sent"})
    assert late.status_code == 409
    assert "allerede ført" in late.content.decode()
    assert not VisitLogDraft.objects.exists()


def test_km_and_the_notebook_purchase_go_on_the_customers_project(world, client_for, visit):
    client = client_for(world.home.senior_a)
    data = payload(km="12,5", expense_amount="89,90", receipt=receipt())
    assert client.post(log_url(visit), data).status_code == 302
    customer = Customer.objects.get(recipient=visit.recipient)
    km = MileageEntry.objects.get()
    assert (km.km, km.customer, km.billable, km.purpose) == (
        Decimal("12.5"),
        customer,
        True,
        "Omsorg",
    )
    expense = Expense.objects.get()
    assert (expense.amount, expense.description, expense.customer) == (
        Decimal("89.90"),
        "Notatbok",
        customer,
    )
    assert expense.billable
    assert expense.source == EntrySource.VISIT
    with expense.receipt.open("rb") as stored:
        assert stored.read() == PNG_PIXEL
    hours = TimeEntry.objects.get()
    assert (hours.hours, hours.activity, hours.customer) == (Decimal("1"), "Omsorg", customer)


def test_an_outlay_without_the_receipt_photo_is_refused_and_nothing_is_logged(
    world, client_for, visit
):
    response = client_for(world.home.senior_a).post(log_url(visit), payload(expense_amount="89"))
    assert response.status_code == 422
    assert "Ta bilde av kvitteringen" in response.content.decode()
    assert not VisitLog.objects.exists()
    assert not Expense.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("km", "mange", "Oppgi et tall."),
        ("km", "-3", "Kilometer må være mer enn 0."),
        ("km", "3,25", "Skriv kilometer med én desimal"),
        ("expense_amount", "9000", "Utlegg over 5000 kroner føres ikke her."),
    ],
)
def test_bad_numbers_get_a_norwegian_message(world, client_for, visit, field, value, message):
    response = client_for(world.home.senior_a).post(log_url(visit), payload(**{field: value}))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not VisitLog.objects.exists()


def test_a_receipt_that_is_not_a_picture_or_pdf_is_refused(world, client_for, visit):
    bad = SimpleUploadedFile("kvittering.exe", b"MZ", content_type="application/octet-stream")
    response = client_for(world.home.senior_a).post(
        log_url(visit), payload(expense_amount="50", receipt=bad)
    )
    assert response.status_code == 422
    assert not Expense.objects.exists()


def test_the_receipt_is_shown_to_the_senior_and_the_leader_only(world, client_for, visit):
    client_for(world.home.senior_a).post(
        log_url(visit), payload(expense_amount="50", receipt=receipt())
    )
    url = f"/utlegg/{Expense.objects.get().pk}/kvittering/"
    own = client_for(world.home.senior_a).get(url)
    assert own.status_code == 200
    assert own["Content-Type"] == "image/png"
    assert b"".join(own.streaming_content) == PNG_PIXEL
    assert client_for(world.home.leader_a).get(url).status_code == 200
    assert client_for(world.home.leader_b).get(url).status_code == 404
    assert client_for(world.home.senior_a2).get(url).status_code == 404


def test_a_bli_kjent_outlay_can_never_be_invoiced(world):
    """R7 holds in the database too, whatever code writes the row."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Expense.objects.create(
            organization=world.home.organization,
            membership=world.home.senior_a,
            date=timezone.localdate(),
            amount=Decimal("50"),
            description="Kaffe",
            billable=True,
            source=EntrySource.INTAKE,
            source_id=1,
        )


def test_the_notebook_is_in_the_data_access_export_and_removed_on_anonymisation(
    world, client_for, visit
):
    from customers.services import recipient_export
    from visits.hooks import visits_anonymise_for_recipient

    client_for(world.home.senior_a).post(
        log_url(visit),
        payload(went_well="Snakket om barnebarna", expense_amount="40", receipt=receipt()),
    )
    exported = recipient_export(recipient=visit.recipient)
    assert exported["notebook"][0]["went_well"] == "Snakket om barnebarna"
    visits_anonymise_for_recipient(visit.recipient, None)
    log = VisitLog.objects.get()
    assert (log.went_well, log.happened) == ("", True)  # the text goes, the count stays
    assert Expense.objects.get().amount == Decimal("40")  # bookkeeping stays
    assert TimeEntry.objects.filter(recipient=visit.recipient).exists()


def test_checking_in_records_the_arrival_as_the_check_in_time(world, client_for, visit):
    client = client_for(world.home.senior_a)
    assert "Jeg er fremme hos" in client.get("/mine-besok/").content.decode()
    # Within the check-in window of the visit (at midnight): a quarter past.
    at = visit.starts_at + timedelta(minutes=15)
    with time_machine.travel(at, tick=False):
        response = client.post(f"/mine-besok/{visit.pk}/fremme/", follow=True)
    html = response.content.decode()
    assert "Du er registrert fremme kl." in html
    assert "Jeg er fremme hos" not in html  # once is enough
    draft = VisitLogDraft.objects.get(visit=visit)
    arrived = timezone.localtime(draft.arrived_at).strftime("%H:%M")
    assert f'value="{arrived}"' in client.get(log_url(visit)).content.decode()
    client.post(f"/mine-besok/{visit.pk}/fremme/")  # a second tap keeps the first time
    assert VisitLogDraft.objects.get(visit=visit).arrived_at == draft.arrived_at
    assert (
        client_for(world.home.senior_a2).post(f"/mine-besok/{visit.pk}/fremme/").status_code == 404
    )


# --- A draft belongs to the senior who typed it --------------------------------------------

# Tuesday 10 March 2026, ten past eleven: today's visit began at 11:00.
MORNING = datetime(2026, 3, 10, 11, 10, tzinfo=ZoneInfo("Europe/Oslo"))
OLD_NOTES = "Astrid fortalte om sønnen i Bergen"


def draft_url(visit) -> str:
    return f"/mine-besok/{visit.pk}/for/utkast/"


def reassign(leader, visit, senior) -> None:
    """The leader gives the visit to `senior` on the visit's page."""
    response = leader.post(f"/besok/{visit.pk}/ny-senior/", {"senior": senior.pk})
    assert response.status_code == 302


@pytest.fixture
def reassigned(world, client_for):
    """senior_a arrived at today's 11:00 visit and typed notes, km and an outlay into the
    log; then the leader gave the visit to senior_a2."""
    clear_for_assignment(world.home.senior_a)
    clear_for_assignment(world.home.senior_a2)
    with time_machine.travel(MORNING, tick=False):
        recipient = CareRecipientFactory(department=world.home.dept_a, status="active")
        visit = VisitFactory(
            recipient=recipient, senior=world.home.senior_a, starts_at=MORNING.replace(minute=0)
        )
        old = client_for(world.home.senior_a)
        assert old.post(f"/mine-besok/{visit.pk}/fremme/").status_code == 302
        saved = old.post(
            draft_url(visit),
            {
                "went_well": OLD_NOTES,
                "km": "17,5",
                "checked_out": "12:40",
                "expense_amount": "64",
                "expense_description": "Blomster til Astrid",
            },
        )
        assert saved.status_code == 200
        reassign(client_for(world.home.leader_a), visit, world.home.senior_a2)
        yield visit


def test_a_reassigned_visit_opens_with_an_empty_log_for_the_new_senior(
    world, client_for, reassigned
):
    new = client_for(world.home.senior_a2)
    html = new.get(log_url(reassigned)).content.decode()
    for left_by_the_old_senior in (OLD_NOTES, "17,5", "17.5", "Blomster til Astrid"):
        assert left_by_the_old_senior not in html
    # The amount as a field's value: a bare "64" can occur in the page's random submit key.
    assert not re.search(r'value="64([.,]0*)?"', html)
    assert 'value="11:10"' not in html  # not the old senior's arrival …
    assert 'value="11:00"' in html  # … but the visit's own times
    assert 'value="12:00"' in html
    assert "Utkast lagret" not in html
    # The old senior's "Jeg er fremme" is not the new senior's: the button is still there.
    agenda = new.get("/mine-besok/").content.decode()
    assert "Jeg er fremme hos" in agenda
    # What the new senior types is theirs and says nothing of the old draft.
    saved = new.post(draft_url(reassigned), {"went_well": "Vi gikk tur"})
    assert saved.status_code == 200
    html = new.get(log_url(reassigned)).content.decode()
    assert "Vi gikk tur" in html
    assert OLD_NOTES not in html
    # The old senior no longer reaches the visit at all.
    old = client_for(world.home.senior_a)
    assert old.get(log_url(reassigned)).status_code == 404
    assert old.post(draft_url(reassigned), {"went_well": "x"}).status_code == 404


def test_each_senior_keeps_their_own_draft_and_logging_removes_both(world, client_for, reassigned):
    new = client_for(world.home.senior_a2)
    new.post(draft_url(reassigned), {"went_well": "Vi gikk tur"})
    leader = client_for(world.home.leader_a)
    reassign(leader, reassigned, world.home.senior_a)  # given back
    html = client_for(world.home.senior_a).get(log_url(reassigned)).content.decode()
    assert OLD_NOTES in html
    assert "Vi gikk tur" not in html
    assert 'value="11:10"' in html  # their own arrival again
    reassign(leader, reassigned, world.home.senior_a2)
    html = new.get(log_url(reassigned)).content.decode()
    assert "Vi gikk tur" in html
    assert OLD_NOTES not in html
    # Logging the visit leaves no one's draft behind.
    with time_machine.travel(MORNING.replace(hour=13), tick=False):
        logged = new.post(log_url(reassigned), payload(checked_in="11:00", checked_out="12:00"))
    assert logged.status_code == 302
    assert VisitLog.objects.get(visit=reassigned).went_well == "Vi spilte kort."
    assert not VisitLogDraft.objects.filter(visit=reassigned).exists()
