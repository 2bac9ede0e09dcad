"""The relatives' evaluation (issue 21; seed 004: "be om brukerens evaluering").

After a recipient's fourth logged visit, and then every three months, the customer relative
(or the recipient, when they are the customer) gets an SMS with a link to three questions.
One `Evaluation` is one such question round: who was asked, why, the link (kept only as a
hash), and the answer once given. The leader reads the answers on *Følg opp*.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from customers.models import CareRecipient, Relative
from seniorene.accounts.models import Department, TenantModel

COMMENT_MAX = 1000


class EvaluationReason(models.TextChoices):
    AFTER_FOURTH_VISIT = "fourth_visit", _("Etter fjerde besøk")
    EVERY_THREE_MONTHS = "three_months", _("Hver tredje måned")


class Helps(models.TextChoices):
    YES = "yes", _("Ja")
    PARTLY = "partly", _("Delvis")
    NO = "no", _("Nei")


# The five answers to "Hvor fornøyd er du med besøkene?", in words beside the numbers.
SATISFACTION_WORDS: dict[int, Promise] = {
    1: _("Svært misfornøyd"),
    2: _("Misfornøyd"),
    3: _("Middels"),
    4: _("Fornøyd"),
    5: _("Svært fornøyd"),
}
# Answers at or below this are "low": first on *Følg opp*.
LOW_SATISFACTION = 2


class Evaluation(TenantModel):
    """One question round to one person about one recipient's visits."""

    recipient = models.ForeignKey(
        CareRecipient, on_delete=models.PROTECT, related_name="evaluations"
    )
    # Who was asked: this relative, or (empty) the recipient themself, when they are the customer.
    relative = models.ForeignKey(
        Relative, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    asked_recipient = models.BooleanField(_("brukeren selv ble spurt"), default=False)
    # The department at the time, for the quality figures (a recipient may move).
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("hvorfor"), max_length=20, choices=EvaluationReason.choices)
    # The recipient's n-th evaluation: with the recipient, the period of the idempotency key.
    number = models.PositiveSmallIntegerField()
    sms = models.ForeignKey(
        "sms.SmsMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # SHA-256 of the link's secret; the secret itself is only in the SMS.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("sendt"))
    expires_at = models.DateTimeField(_("lenken gjelder til"))
    answered_at = models.DateTimeField(_("svart"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("hvor fornøyd"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    helps = models.CharField(
        _("hjelper besøkene"), max_length=10, choices=Helps.choices, blank=True
    )
    comment = models.TextField(
        _("kommentar"), blank=True, validators=[MaxLengthValidator(COMMENT_MAX)]
    )
    # The leader marked the answer read (it leaves *Følg opp*).
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("evaluering")
        verbose_name_plural = _("evalueringer")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "number"], name="evaluation_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="evaluation_satisfaction_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True)
                | (Q(satisfaction__isnull=False) & ~Q(helps="")),
                name="evaluation_answer_complete",
            ),
        ]
        indexes = [models.Index(fields=["organization", "department", "created_at"])]

    def __str__(self) -> str:
        return f"{self.recipient_id} #{self.number}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_low(self) -> bool:
        return self.satisfaction is not None and self.satisfaction <= LOW_SATISFACTION

    @property
    def satisfaction_words(self) -> str:
        return str(SATISFACTION_WORDS.get(self.satisfaction or 0, ""))
