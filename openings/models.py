"""Jobs offered to seniors, as the manual has it: "Jobbene blir presentert på samme måte som
andre jobber i avdelingen", and a senior "melder fra til din avdelingsleder at du påtar deg
denne typen jobb".

A senior opts in (`JobInterest`); a leader publishes a job (`JobOpening`) for a recipient,
described without name or street until a senior is chosen (data minimisation); opted-in,
cleared seniors of the department answer (`JobAnswer`); the leader chooses one.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers.models import CareRecipient
from seniorene.accounts.models import Department, Membership, TenantModel


class InterestStatus(models.TextChoices):
    ACTIVE = "active", _("Vil gjerne ta omsorgsjobber")
    PAUSED = "paused", _("Pause")
    WITHDRAWN = "withdrawn", _("Trukket seg")


class JobInterest(TenantModel):
    """A senior's "Jeg vil gjerne ta omsorgsjobber": what they like and how much."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="job_interest"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=InterestStatus.choices, default=InterestStatus.ACTIVE
    )
    service_areas = models.ManyToManyField(
        "omsorg.ServiceArea",
        through="JobInterestArea",
        related_name="+",
        blank=True,
        verbose_name=_("det jeg liker å gjøre"),
    )
    visits_per_week = models.PositiveSmallIntegerField(
        _("besøk i uka jeg ønsker"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(14)],
    )
    # Where the senior lives, as a postal code only: for the distance hint.
    postal_code = models.CharField(_("postnummer der du bor"), max_length=4, blank=True)
    note = models.CharField(_("til avdelingslederen"), max_length=300, blank=True)
    # A pause ends by itself on this day (blank: until the senior says otherwise).
    paused_until = models.DateField(_("pause til og med"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ønske om omsorgsjobber")
        verbose_name_plural = _("ønsker om omsorgsjobber")

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.status}"


class JobInterestArea(TenantModel):
    interest = models.ForeignKey(JobInterest, on_delete=models.CASCADE)
    service_area = models.ForeignKey("omsorg.ServiceArea", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interest", "service_area"], name="job_interest_area_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.interest_id} → {self.service_area_id}"


class OpeningKind(models.TextChoices):
    INTAKE = "intake", _("Bli kjent-møte")
    VISITS = "visits", _("Faste besøk")


class OpeningStatus(models.TextChoices):
    OPEN = "open", _("Ledig")
    FILLED = "filled", _("Tatt")
    WITHDRAWN = "withdrawn", pgettext_lazy("job opening", "Trukket tilbake")


class JobOpening(TenantModel):
    """A job put out to the department's seniors. Never carries the recipient's name or street:
    `area` and `postal_code` say where, `description` what (no health details)."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        CareRecipient, on_delete=models.PROTECT, related_name="job_openings"
    )
    kind = models.CharField(_("hva slags jobb"), max_length=10, choices=OpeningKind.choices)
    area = models.CharField(_("område (bydel eller poststed)"), max_length=120)
    postal_code = models.CharField(_("postnummer"), max_length=4, blank=True)
    weekdays = models.PositiveSmallIntegerField(
        _("ukedager"), help_text=_("Bitmaske: mandag = 1, tirsdag = 2, onsdag = 4 …")
    )
    start_time = models.TimeField(_("klokkeslett"))
    duration_minutes = models.PositiveSmallIntegerField(_("varighet (minutter)"), default=60)
    every_n_weeks = models.PositiveSmallIntegerField(_("hver N. uke"), default=1)
    first_date = models.DateField(_("fra dato"))
    service_areas = models.ManyToManyField(
        "omsorg.ServiceArea",
        through="JobOpeningArea",
        related_name="+",
        blank=True,
        verbose_name=_("tjenesteområder"),
    )
    description = models.TextField(
        _("kort beskrivelse"),
        blank=True,
        validators=[MaxLengthValidator(500)],
        help_text=_("Uten navn, adresse eller helseopplysninger."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OpeningStatus.choices, default=OpeningStatus.OPEN
    )
    published_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("lagt ut av")
    )
    published_at = models.DateTimeField(_("lagt ut"))
    chosen = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chosen_openings",
        verbose_name=_("valgt senior"),
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    chosen_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(_("hvorfor trukket"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ledig jobb")
        verbose_name_plural = _("ledige jobber")
        ordering = ["-published_at", "pk"]
        indexes = [models.Index(fields=["organization", "department", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.area} ({self.status})"


class JobOpeningArea(TenantModel):
    opening = models.ForeignKey(JobOpening, on_delete=models.CASCADE)
    service_area = models.ForeignKey("omsorg.ServiceArea", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["opening", "service_area"], name="job_opening_area_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.opening_id} → {self.service_area_id}"


class AnswerChoice(models.TextChoices):
    YES = "yes", _("Jeg kan ta den")
    NO = "no", _("Passer ikke")


class JobAnswer(TenantModel):
    """One senior's answer to one job; changed in place until the job is filled or withdrawn."""

    opening = models.ForeignKey(JobOpening, on_delete=models.CASCADE, related_name="answers")
    senior = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="job_answers")
    answer = models.CharField(_("svar"), max_length=5, choices=AnswerChoice.choices)
    note = models.CharField(
        _("merknad"), max_length=300, blank=True, help_text=_("For eksempel: kan bare tirsdager.")
    )
    answered_at = models.DateTimeField()

    class Meta:
        verbose_name = _("svar på ledig jobb")
        verbose_name_plural = _("svar på ledige jobber")
        constraints = [
            models.UniqueConstraint(fields=["opening", "senior"], name="job_answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.opening_id}/{self.senior_id}: {self.answer}"
