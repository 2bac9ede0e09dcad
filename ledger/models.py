"""The ledger: hours, kilometres and outlays (timer, kilometer, utlegg), exported to Tripletex.

The tables kept their names from when these models lived in `visits` (a state-only move,
issue 17): `visits_timeentry`, `visits_mileageentry`, `visits_expense`. Rows are written only
through `ledger.services`, which owns R7.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePosixPath

from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import CareRecipient, Customer
from seniorene.accounts.models import Membership, TenantModel

ACTIVITY_OMSORG = "Omsorg"
PURPOSE_INTAKE = "bli kjent møte"


class EntrySource(models.TextChoices):
    INTAKE = "intake", _("Bli kjent-møte")
    VISIT = "visit", _("Besøk")
    MANUAL = "manual", _("Registrert for hånd")


class ProjectEntry(TenantModel):
    """What hours, km and outlays share: the customer's project they go on, whether the
    customer is invoiced (never for Bli kjent, R7), and what they came from (once each)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient = models.ForeignKey(
        CareRecipient, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    billable = models.BooleanField(_("faktureres kunden"))
    source = models.CharField(max_length=10, choices=EntrySource.choices)
    source_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class TimeEntry(ProjectEntry):
    """Hours for a senior (Tripletex activity "Omsorg").

    Bli kjent hours are paid to the senior and never invoiced (R7).
    """

    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="time_entries"
    )
    date = models.DateField(_("dato"))
    hours = models.DecimalField(
        _("timer"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))],
    )
    activity = models.CharField(_("aktivitet"), max_length=40, default=ACTIVITY_OMSORG)

    class Meta:
        db_table = "visits_timeentry"
        verbose_name = _("timer")
        verbose_name_plural = _("timer")
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="intake") | Q(billable=False, customer__isnull=True),
                name="time_intake_never_invoiced",
            ),
            models.UniqueConstraint(
                fields=["source", "source_id", "membership"],
                condition=Q(source_id__isnull=False),
                name="time_entry_once_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.hours} t ({self.activity})"


class MileageEntry(ProjectEntry):
    """Kilometres driven. Bli kjent km carry the purpose "bli kjent møte" and no customer (R7)."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="mileage")
    date = models.DateField(_("dato"))
    km = models.DecimalField(
        _("kilometer"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("2000"))],
    )
    purpose = models.CharField(_("formål"), max_length=120)

    class Meta:
        db_table = "visits_mileageentry"
        verbose_name = _("kilometer")
        verbose_name_plural = _("kilometer")
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="intake")
                | Q(billable=False, customer__isnull=True, purpose=PURPOSE_INTAKE),
                name="mileage_intake_purpose_no_customer",
            ),
            models.UniqueConstraint(
                fields=["source", "source_id", "membership"],
                condition=Q(source_id__isnull=False),
                name="mileage_once_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.km} km ({self.purpose})"


RECEIPT_EXTENSIONS = ["jpg", "jpeg", "png", "heic", "heif", "webp", "pdf"]
RECEIPT_MAX_BYTES = 8 * 1024 * 1024


def receipt_upload_to(instance: Expense, filename: str) -> str:
    """Private path for a receipt photo: per organization, with an unguessable name."""
    suffix = PurePosixPath(filename).suffix.lower()[:6]
    return f"receipts/{instance.organization_id}/{uuid.uuid4().hex}{suffix}"


class Expense(ProjectEntry):
    """An outlay (utlegg) with a photo of the receipt, e.g. the notebook bought for the
    recipient's home: it goes on the customer's project (the manual). Bli kjent outlays are
    never invoiced (R7)."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="expenses")
    date = models.DateField(_("dato"))
    amount = models.DecimalField(
        _("beløp (kr)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("5000"))],
    )
    description = models.CharField(_("hva"), max_length=120)
    receipt = models.FileField(
        _("bilde av kvitteringen"),
        upload_to=receipt_upload_to,
        blank=True,
        validators=[FileExtensionValidator(RECEIPT_EXTENSIONS)],
    )

    class Meta:
        db_table = "visits_expense"
        verbose_name = _("utlegg")
        verbose_name_plural = _("utlegg")
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="intake") | Q(billable=False, customer__isnull=True),
                name="expense_intake_never_invoiced",
            ),
            models.UniqueConstraint(
                fields=["source", "source_id", "membership"],
                condition=Q(source_id__isnull=False),
                name="expense_once_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} kr ({self.description})"
