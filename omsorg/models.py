"""Service areas, eligibility criteria, screening, the Bli kjent interview, admin notices."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import CareRecipient
from seniorene.accounts.models import Department, Membership, TenantModel

ANSWER_MAX = 2000


class ServiceArea(TenantModel):
    """A tjenesteområde. `is_training` marks the quality visit with training (R2)."""

    name = models.CharField(_("navn"), max_length=120)
    is_training = models.BooleanField(
        _("kvalitetsbesøk med trening"),
        default=False,
        help_text=_("Krever fullført Bli kjent-møte med alle tre treningskriterier oppfylt."),
    )
    is_active = models.BooleanField(_("i bruk"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("tjenesteområde")
        verbose_name_plural = _("tjenesteområder")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="service_area_unique")
        ]

    def __str__(self) -> str:
        return self.name


class CriterionKind(models.TextChoices):
    SCREENING = "screening", _("Kartlegging før Bli kjent-møtet")
    TRAINING = "training", _("Kriterium for kvalitetsbesøk med trening")


class Criterion(TenantModel):
    """An eligibility criterion; answers copy its wording, so rewording keeps history."""

    kind = models.CharField(_("type"), max_length=10, choices=CriterionKind.choices)
    text = models.CharField(_("ordlyd"), max_length=300)
    help_text = models.CharField(_("forklaring"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("i bruk"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kriterium")
        verbose_name_plural = _("kriterier")
        ordering = ["kind", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class ScreeningOutcome(models.TextChoices):
    PASSED = "passed", _("Oppfyller kravene")
    NOT_PASSED = "not_passed", _("Oppfyller ikke kravene")


class Screening(TenantModel):
    """The leader's check before a Bli kjent meeting may be booked (R1)."""

    recipient = models.ForeignKey(
        CareRecipient, on_delete=models.CASCADE, related_name="screenings"
    )
    outcome = models.CharField(_("resultat"), max_length=12, choices=ScreeningOutcome.choices)
    note = models.TextField(_("merknad"), blank=True, validators=[MaxLengthValidator(ANSWER_MAX)])
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.outcome}"

    @property
    def passed(self) -> bool:
        return self.outcome == ScreeningOutcome.PASSED


class ScreeningAnswer(TenantModel):
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.SET_NULL, null=True, related_name="+")
    wording = models.CharField(max_length=300)
    met = models.BooleanField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.wording}: {self.met}"


class Preparer(models.TextChoices):
    RELATIVE = "relative", _("Pårørende ringer")
    SENIOR = "senior", _("Senior ringer")


class Informed(models.TextChoices):
    YES = "yes", _("Ja")
    NO = "no", _("Nei")
    NOT_RELEVANT = "na", _("Ikke aktuelt – brukeren bestilte selv")


class InterviewStatus(models.TextChoices):
    BOOKED = "booked", _("Avtalt")
    COMPLETED = "completed", _("Gjennomført")
    CANCELLED = "cancelled", _("Avlyst")


class Outcome(models.TextChoices):
    """What the Bli kjent meeting came to (asked at completion)."""

    GOOD_MATCH = "good_match", _("God match – start besøk med denne senioren")
    TRY_ANOTHER = "try_another", _("Prøv en annen senior")
    DECLINED = "declined", _("Brukeren takker nei")


class DeclineReason(models.TextChoices):
    NOT_NOW = "not_now", _("Ikke ønsket nå")
    TOO_ILL = "too_ill", _("For syk")
    NEEDS_MORE = "needs_more", _("Trenger mer enn ufaglært hjelp")
    PRICE = "price", _("Pris")
    OTHER = "other", _("Annet")


class PdfStatus(models.TextChoices):
    NONE = "", _("Ikke laget")
    PENDING = "pending", _("Lages")
    READY = "ready", _("Klar")
    FAILED = "failed", _("Feilet")


class IntakeInterview(TenantModel):
    """The Bli kjent meeting (max 1 hour) and its interview form (9 questions, 3 criteria).

    R3: the content is for the assigned senior(s), leaders of the recipient's
    department and the professional lead; see `omsorg.access`.
    """

    recipient = models.ForeignKey(
        CareRecipient, on_delete=models.PROTECT, related_name="interviews"
    )
    senior = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="interviews", verbose_name=_("senior")
    )
    starts_at = models.DateTimeField(_("tidspunkt"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("varighet (minutter)"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(60)],
    )
    relative_attends = models.BooleanField(_("pårørende er med"), default=False)
    prepared_by = models.CharField(
        _("hvem forbereder brukeren"), max_length=10, choices=Preparer.choices
    )
    status = models.CharField(
        max_length=10, choices=InterviewStatus.choices, default=InterviewStatus.BOOKED
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(auto_now_add=True)
    # Moves and cancellation by the leader (the recipient's status is not touched).
    # `sequence` counts the moves: the calendar feed's SEQUENCE, the announcement's key.
    sequence = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("begrunnelse"), max_length=300, blank=True)
    # The leader's written reason for a meeting that asks for caution (a second meeting for
    # the recipient, or a screening older than 60 days): paid, never invoiced (manual).
    caution_reason = models.TextField(
        _("begrunnelse for møtet"), blank=True, validators=[MaxLengthValidator(500)]
    )

    # The form. Question 1 is a snapshot of name, age and address at completion.
    q1_person = models.CharField(_("1) Navn, alder og adresse"), max_length=300, blank=True)
    q2_informed = models.CharField(
        _("2) Er brukeren informert om besøk fra Seniorene?"),
        max_length=3,
        choices=Informed.choices,
        blank=True,
    )
    q3_prepared_by = models.CharField(
        _("3) Hvordan forbereder vi brukeren på at det kommer besøk?"),
        max_length=10,
        choices=Preparer.choices,
        blank=True,
    )
    q4_contact_name = models.CharField(
        _("4) Pårørende som kan kontaktes under besøket"), max_length=150, blank=True
    )
    q4_contact_phone = models.CharField(_("4) Telefon"), max_length=20, blank=True)
    q5_likes = models.TextField(
        _("5) Hva liker brukeren særlig å snakke om?"),
        blank=True,
        validators=[MaxLengthValidator(ANSWER_MAX)],
    )
    q6_avoid = models.TextField(
        _("6) Tema å unngå, eller annet som kan påvirke brukeren negativt"),
        blank=True,
        validators=[MaxLengthValidator(ANSWER_MAX)],
    )
    q7_cognitive = models.TextField(
        _("7) Kognitiv trening: er det noe senioren skal vite?"),
        blank=True,
        validators=[MaxLengthValidator(ANSWER_MAX)],
    )
    q8_falls = models.TextField(
        _("8) Fallforebygging: har brukeren falt før, ca. når og i hvilken situasjon?"),
        blank=True,
        validators=[MaxLengthValidator(ANSWER_MAX)],
    )
    q9_frequency = models.CharField(
        _("9) Hvor ofte ønskes kvalitetsbesøk?"), max_length=200, blank=True
    )
    draft_saved_at = models.DateTimeField(null=True, blank=True)

    # The outcome, required at completion (not for a draft); the recipient's status follows.
    outcome = models.CharField(
        _("Utfall av Bli kjent-møtet"), max_length=12, choices=Outcome.choices, blank=True
    )
    decline_reason = models.CharField(
        _("Hvorfor takker brukeren nei?"), max_length=12, choices=DeclineReason.choices, blank=True
    )
    decline_note = models.CharField(_("Beskriv kort"), max_length=300, blank=True)
    recontact_on = models.DateField(_("Kontakt brukeren igjen (valgfritt)"), null=True, blank=True)
    recontact_done_at = models.DateTimeField(null=True, blank=True)
    recontact_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    km = models.DecimalField(
        _("kilometer"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("2000"))],
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    pdf_status = models.CharField(max_length=10, choices=PdfStatus.choices, blank=True)
    pdf_file = models.CharField(max_length=200, blank=True)
    pdf_error = models.CharField(max_length=300, blank=True)
    pdf_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("Bli kjent-møte")
        verbose_name_plural = _("Bli kjent-møter")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__lte=60), name="intake_max_one_hour"
            ),
        ]

    def __str__(self) -> str:
        return f"Bli kjent: {self.recipient} ({timezone.localtime(self.starts_at):%Y-%m-%d})"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_completed(self) -> bool:
        return self.status == InterviewStatus.COMPLETED


class InterviewCriterionAnswer(TenantModel):
    """One of the three training criteria as answered in the interview (wording kept)."""

    interview = models.ForeignKey(
        IntakeInterview, on_delete=models.CASCADE, related_name="criterion_answers"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.SET_NULL, null=True, related_name="+")
    wording = models.CharField(max_length=300)
    met = models.BooleanField(null=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "criterion"], name="interview_criterion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.wording}: {self.met}"


class AdminNotification(TenantModel):
    """'Bli kjent completed': who was visited, by whom, when — never the form content (R3)."""

    interview = models.OneToOneField(
        IntakeInterview, on_delete=models.PROTECT, related_name="notification"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    recipient_name = models.CharField(max_length=150)
    senior_name = models.CharField(max_length=150)
    met_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["reviewed_at", "-created_at"]

    def __str__(self) -> str:
        return f"Bli kjent: {self.recipient_name} / {self.senior_name} {self.met_on}"


class LeaderNotice(TenantModel):
    """'Bli kjent completed' for one leader of the recipient's department: on *Følg opp*
    until seen, and an e-mail without content (R3) with a link to the next step."""

    interview = models.ForeignKey(
        IntakeInterview, on_delete=models.CASCADE, related_name="leader_notices"
    )
    leader = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "leader"], name="leader_notice_once")
        ]

    def __str__(self) -> str:
        return f"Bli kjent {self.interview_id} → {self.leader_id}"
