"""Bookkeeping of the background jobs: what each run did, the claims that make a
notice go out once, and the per-organization job settings."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seniorene.accounts.models import TenantModel
from seniorene.jobs.registry import job_choices

DEFAULT_LATE_START_MINUTES = 30


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Kjører")
    OK = "ok", _("Fullført")
    FAILED = "failed", _("Feilet")


class JobRun(TenantModel):
    """One run of one job for one organization: when, for which day, what it did."""

    # Choices from the registry, called when needed: a new job needs no migration.
    job = models.CharField(_("jobb"), max_length=30, choices=job_choices)
    for_date = models.DateField(_("gjelder dato"), null=True, blank=True)
    trigger = models.CharField(_("startet av"), max_length=20, default="beat")
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField(_("startet"), default=timezone.now)
    finished_at = models.DateTimeField(_("ferdig"), null=True, blank=True)
    handled = models.PositiveIntegerField(_("behandlet"), default=0)
    skipped = models.PositiveIntegerField(_("hoppet over"), default=0)
    failed = models.PositiveIntegerField(_("feilet"), default=0)
    note = models.CharField(_("merknad"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("jobbkjøring")
        verbose_name_plural = _("jobbkjøringer")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["organization", "job", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.job} {self.for_date or ''} ({self.status})"


class ClaimStatus(models.TextChoices):
    QUEUED = "queued", _("I kø")
    SENDING = "sending", _("Sendes")
    SENT = "sent", _("Sendt")
    FAILED = "failed", _("Feilet")


class JobClaim(TenantModel):
    """One logical notice (an e-mail of a job), claimed before it goes out.

    The key names the purpose and its subject (``nudge:senior:<visit id>``), unique per
    organization, so a job run twice, or two runs at once, finds the row and sends
    nothing more. A worker that dies after the claim leaves it "sending": never resent.
    """

    key = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="job_claim_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"


class JobSettings(TenantModel):
    """An organization's job settings (one row; defaults apply without it)."""

    late_start_minutes = models.PositiveSmallIntegerField(
        _("varsel når besøket ikke har startet etter (minutter)"),
        default=DEFAULT_LATE_START_MINUTES,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("jobbinnstillinger")
        verbose_name_plural = _("jobbinnstillinger")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="job_settings_one_per_org"),
            models.CheckConstraint(
                condition=Q(late_start_minutes__gte=5, late_start_minutes__lte=240),
                name="job_settings_late_start_range",
            ),
        ]

    def __str__(self) -> str:
        return f"job settings {self.organization_id}"
