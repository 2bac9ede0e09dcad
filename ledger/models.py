"""The ledger: hours, kilometres and outlays (timer, kilometer, utlegg), exported to Tripletex.

The tables kept their names from when these models lived in `visits` (a state-only move,
issue 17): `visits_timeentry`, `visits_mileageentry`, `visits_expense`. Rows are written only
through `ledger.services`, which owns R7.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import CareRecipient, Customer
from seniorene.accounts.models import Department, Membership, TenantModel

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


class EntryKind(models.TextChoices):
    HOURS = "hours", _("Timer")
    KM = "km", _("Kilometer")
    EXPENSE = "expense", _("Utlegg")


CORRECTED_FIELDS = {
    "checked_in_at": _("Kom"),
    "checked_out_at": _("Gikk"),
    "hours": _("Timer"),
    "km": _("Kilometer"),
    "amount": _("Utlegg (kr)"),
    "description": _("Hva ble kjøpt"),
}


class LedgerCorrection(TenantModel):
    """One value of a logged visit changed after the log: the old value, the new one, who
    changed it, when and why. The entries themselves hold the current value; this is the
    history (issue 22). `after_lock`: the month had been sent to Tripletex, so the change
    goes out as correction rows in the next export (`ExportLine`)."""

    entry_kind = models.CharField(max_length=10, choices=EntryKind.choices)
    entry_id = models.BigIntegerField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=EntrySource.choices)
    source_id = models.BigIntegerField(null=True, blank=True)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        CareRecipient, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    field = models.CharField(max_length=30)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    reason = models.CharField(_("hvorfor"), max_length=300)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    month = models.DateField()
    after_lock = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("retting")
        verbose_name_plural = _("rettinger")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"

    @property
    def field_label(self) -> str:
        return str(CORRECTED_FIELDS.get(self.field, self.field))


class MonthLock(TenantModel):
    """A month's export downloaded for a department: from then on the month's file stays as
    it was, and changes to the month go out as correction rows in a later export. The
    department is None for entries of seniors who belong to no department (the lead's)."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    month = models.DateField()
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    locked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("låst måned")
        verbose_name_plural = _("låste måneder")
        constraints = [
            # Two partial constraints rather than nulls_distinct=False, which SQLite (the
            # embedded default) cannot hold: once per department, once for "no department".
            models.UniqueConstraint(
                fields=["organization", "department", "month"],
                condition=Q(department__isnull=False),
                name="month_lock_once",
            ),
            models.UniqueConstraint(
                fields=["organization", "month"],
                condition=Q(department__isnull=True),
                name="month_lock_once_no_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} ({self.department_id})"


class LineKind(models.TextChoices):
    ENTRY = "entry", _("Rad")
    LATE = "late", _("Ført etter låsing")
    REVERSAL = "reversal", _("Tilbakeføring")
    NEW_VALUE = "new_value", _("Rettet verdi")


class ExportLine(TenantModel):
    """One row of a downloaded Tripletex file, as it was sent: a re-download gives the same
    rows, and a later change is compared with what was sent. `month` of the lock is the file
    it went out in; `day` is the date of the work (a correction keeps the corrected day)."""

    lock = models.ForeignKey(MonthLock, on_delete=models.PROTECT, related_name="lines")
    line_kind = models.CharField(max_length=10, choices=LineKind.choices)
    entry_kind = models.CharField(max_length=10, choices=EntryKind.choices)
    entry_id = models.BigIntegerField()
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient = models.ForeignKey(
        CareRecipient, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    project = models.CharField(max_length=40, blank=True)
    day = models.DateField()
    activity = models.CharField(max_length=120, blank=True)
    quantity = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    description = models.CharField(max_length=120, blank=True)
    billable = models.BooleanField()
    receipt_url = models.CharField(max_length=300, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("eksportert rad")
        verbose_name_plural = _("eksporterte rader")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.line_kind} {self.entry_kind} {self.entry_id}"
