"""Receipts: the content says what a file is, not its name (issue 16, hole 7).

An upload must be the picture or PDF its name says; the receipt page shows only a verified
picture in the browser and offers everything else as a download; a body larger than the
log page takes is refused before anything reads it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.models import Customer
from ledger.models import RECEIPT_MAX_BYTES, Expense
from tests.factories import CareRecipientFactory, VisitFactory
from tests.visits.helpers import PNG_PIXEL
from visits.models import Visit, VisitLog, VisitStatus

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
# Tuesday 10 March 2026 at noon; the visit was from nine to ten.
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=OSLO)
NINE = datetime(2026, 3, 10, 9, 0, tzinfo=OSLO)

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32
HTML = b"<!doctype html><html><body><script>fetch('/konto/')</script></body></html>"
CONTENT_MESSAGE = "Filen er ikke et bilde av kvitteringen"


@pytest.fixture(autouse=True)
def at_noon():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def visit(world):
    recipient = CareRecipientFactory(department=world.home.dept_a, status="active")
    Customer.objects.create(
        organization=world.home.organization,
        recipient=recipient,
        kind="recipient",
        project_number="P-1001",
    )
    return VisitFactory(recipient=recipient, senior=world.home.senior_a, starts_at=NINE)


def log(client, visit, upload) -> object:
    return client.post(
        f"/mine-besok/{visit.pk}/for/",
        {
            "happened": "1",
            "submission_key": str(uuid.uuid4()),
            "checked_in": "09:00",
            "checked_out": "10:00",
            "went_well": "Vi spilte kort.",
            "could_change": "",
            "expense_description": "Notatbok",
            "expense_amount": "50",
            "receipt": upload,
        },
    )


def stored_receipts(world) -> list[Path]:
    folder = Path(default_storage.location) / "receipts" / str(world.home.organization.pk)
    return sorted(folder.glob("*")) if folder.exists() else []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("kvittering.jpg", HTML),
        ("kvittering.jpeg", HTML),
        ("kvittering.png", HTML),
        ("kvittering.pdf", HTML),
        ("kvittering.heic", HTML),
        ("kvittering.webp", HTML),
        ("kvittering.jpg", PNG_PIXEL),  # a real picture, but not what the name says
        ("kvittering.pdf", JPEG),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused_at_upload(
    world, client_for, visit, name, content
):
    before = stored_receipts(world)
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = log(client_for(world.home.senior_a), visit, upload)
    assert response.status_code == 422
    assert CONTENT_MESSAGE in response.content.decode()
    assert not Expense.objects.exists()
    assert not VisitLog.objects.exists()
    assert stored_receipts(world) == before


@pytest.mark.parametrize(
    ("name", "content", "content_type", "disposition"),
    [
        ("kvittering.png", PNG_PIXEL, "image/png", "inline"),
        ("IMG_0042.JPG", JPEG, "image/jpeg", "inline"),
        ("kvittering.webp", WEBP, "image/webp", "inline"),
        ("IMG_0042.HEIC", HEIC, "image/heic", "attachment"),  # browsers cannot draw HEIC
        ("kvittering.pdf", PDF, "application/pdf", "attachment"),  # PDFs can carry scripts
    ],
)
def test_real_pictures_and_pdfs_are_kept_and_only_pictures_shown_inline(
    world, client_for, visit, name, content, content_type, disposition
):
    senior = client_for(world.home.senior_a)
    assert log(senior, visit, SimpleUploadedFile(name, content)).status_code == 302
    expense = Expense.objects.get()
    response = senior.get(f"/utlegg/{expense.pk}/kvittering/")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith(disposition)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content


def test_a_stored_file_that_is_not_a_picture_is_served_as_a_download(world, client_for, visit):
    """A file stored before the check (or put there by other means) named .jpg but holding
    a web page is never shown in the browser as a page of our site."""
    senior = client_for(world.home.senior_a)
    assert log(senior, visit, SimpleUploadedFile("kvittering.jpg", JPEG)).status_code == 302
    expense = Expense.objects.get()
    assert expense.receipt.name.endswith(".jpg")
    Path(expense.receipt.path).write_bytes(HTML)
    url = f"/utlegg/{expense.pk}/kvittering/"
    for who in (world.home.senior_a, world.home.leader_a, world.home.lead):
        response = client_for(who).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"] == (
            f'attachment; filename="kvittering-{expense.pk}.bin"'
        )
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_receipt_larger_than_the_page_takes_is_refused_before_it_is_read(
    world, client_for, visit
):
    """Over 8 MB and its form: 413 with a Norwegian page, before the view (or CSRF) reads
    the body, so nothing is stored and the visit is still to be logged."""
    before = stored_receipts(world)
    big = SimpleUploadedFile("kvittering.jpg", JPEG + b"\x00" * (RECEIPT_MAX_BYTES + 1024 * 1024))
    response = log(client_for(world.home.senior_a), visit, big)
    assert response.status_code == 413
    page = response.content.decode()
    assert "Filen er for stor" in page
    assert "høyst 8 MB" in page
    assert stored_receipts(world) == before
    assert not Expense.objects.exists()
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.PLANNED


def test_a_receipt_just_under_the_limit_is_still_taken(world, client_for, visit):
    upload = SimpleUploadedFile("kvittering.jpg", JPEG + b"\x00" * (RECEIPT_MAX_BYTES - 1024))
    response = log(client_for(world.home.senior_a), visit, upload)
    assert response.status_code == 302
    assert Expense.objects.get().receipt.size == RECEIPT_MAX_BYTES - 1024 + len(JPEG)
