"""The SMS outbox: every message is a row with a status and a unique idempotency key (R8)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import CareRecipient, ConsentPurpose, Relative
from seniorene.accounts.models import Membership, TenantModel


class SmsPurpose(models.TextChoices):
    """Why a message is sent. The first three are `customers.ConsentPurpose` (R4/R5);
    tests/sms/test_text.py fails when that gets a purpose this lacks."""

    VISIT_SUMMARY_SMS = "visit_summary_sms", _("Oppsummering etter besøk på SMS")
    REMINDER_SMS = "reminder_sms", _("Påminnelser på SMS")
    NOTEBOOK_SHARING = "notebook_sharing", _("Deling av besøksboken")
    TEAM_MEETING = "team_meeting", _("Teamsmøte")
    STAFF_DIGEST = "staff_digest", _("Oppsummering til medarbeidere")
    # Issue 21, to relatives (and recipients who are the customer); each is gated by the
    # visit-summary consent (`consent_purpose`).
    VISIT_CHANGE_SMS = "visit_change_sms", _("Endring i et besøk på SMS")
    EVALUATION_SMS = "evaluation_sms", _("Spørsmål om hvordan tjenesten fungerer")
    ACCESS_CODE_SMS = "access_code_sms", _("Engangskode til pårørendesiden")


# Purposes for staff: gated by the staff member's own SMS consent, not a customer consent.
STAFF_PURPOSES = frozenset({SmsPurpose.TEAM_MEETING, SmsPurpose.STAFF_DIGEST})
# Purposes sent under another purpose's consent: a relative who agreed to the summary after
# each visit also hears when a visit changes, is asked how the service works, and may get
# the one-time code for their own page.
CONSENT_UNDER: dict[str, str] = {
    SmsPurpose.VISIT_CHANGE_SMS: ConsentPurpose.VISIT_SUMMARY_SMS,
    SmsPurpose.EVALUATION_SMS: ConsentPurpose.VISIT_SUMMARY_SMS,
    SmsPurpose.ACCESS_CODE_SMS: ConsentPurpose.VISIT_SUMMARY_SMS,
}


def consent_purpose(purpose: str) -> str:
    """The consent purpose (customers.ConsentPurpose) that lets `purpose` be sent."""
    return CONSENT_UNDER.get(purpose, purpose)


# Customer consents that are consents to SMS: a STOPP reply withdraws these.
SMS_CONSENT_PURPOSES = frozenset(p for p in ConsentPurpose.values if p.endswith("_sms"))


class SmsAudience(models.TextChoices):
    RECIPIENT = "recipient", _("Brukeren")
    RELATIVE = "relative", _("Pårørende")
    STAFF = "staff", _("Medarbeider")


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("I kø")
    # Taken by a batch send task (`sms_send_many`) and not yet handed to the provider: a
    # worker that dies leaves it here, and the sweeper puts it back in the queue.
    CLAIMED = "claimed", _("Tatt ut til sending")
    # Being handed to the provider: from here on it may have gone out.
    SENDING = "sending", _("Sendes")
    SENT = "sent", _("Sendt")
    DELIVERED = "delivered", _("Levert")
    FAILED = "failed", _("Feilet")
    CANCELLED = "cancelled", _("Avbrutt")
    BLOCKED_NO_CONSENT = "blocked_no_consent", _("Stoppet: mangler samtykke")
    # A worker died after handing the message to the provider and before it heard back:
    # it may or may not have gone out. Never retried automatically (R8: at most once).
    UNCERTAIN = "uncertain", _("Uavklart: sjekk hos leverandøren")


class SmsMessage(TenantModel):
    """One logical SMS. A retry, a second press or a crash finds the same row by its key."""

    to_phone = models.CharField(_("til"), max_length=16, help_text=_("E.164, f.eks. +4791234567."))
    body = models.TextField(_("tekst"))
    purpose = models.CharField(_("formål"), max_length=30, choices=SmsPurpose.choices)
    audience = models.CharField(_("mottaker"), max_length=10, choices=SmsAudience.choices)
    recipient = models.ForeignKey(
        CareRecipient, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    relative = models.ForeignKey(
        Relative, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A plain id until the Visit model exists; a later migration turns it into a FK.
    visit_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    idempotency_key = models.CharField(max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=SmsStatus.choices, default=SmsStatus.QUEUED
    )
    send_after = models.DateTimeField(_("sendes tidligst"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_sid = models.CharField(max_length=64, blank=True, db_index=True)
    error_code = models.CharField(max_length=20, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # When a worker claimed it for the provider call (the sweeper looks for stuck ones).
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The time a send task was last put on the queue for (None: none is waiting).
    enqueued_for = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS-er")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status", "send_after"]),
            models.Index(fields=["organization", "-created_at"]),
        ]
        constraints = [
            # R8: one logical SMS, one row. Per organization, so that a key can never
            # reveal (through a unique violation) that another tenant used it.
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"], name="sms_message_key_unique"
            ),
            # The same notice for the same visit never goes twice to one phone, even
            # when a relative's number is also the recipient's (docs/design.md, "Lessons").
            models.UniqueConstraint(
                fields=["organization", "visit_id", "purpose", "to_phone"],
                condition=Q(visit_id__isnull=False) & ~Q(to_phone=""),
                name="sms_message_once_per_visit_phone",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        audience="recipient",
                        recipient__isnull=False,
                        relative__isnull=True,
                        membership__isnull=True,
                    )
                    | Q(
                        audience="relative",
                        recipient__isnull=False,
                        relative__isnull=False,
                        membership__isnull=True,
                    )
                    | Q(
                        audience="staff",
                        recipient__isnull=True,
                        relative__isnull=True,
                        membership__isnull=False,
                    )
                ),
                name="sms_message_audience_matches_person",
            ),
        ]

    def __str__(self) -> str:
        return f"SMS {self.pk} ({self.purpose}, {self.status})"

    @property
    def masked_phone(self) -> str:
        """The number with all but the last three digits hidden."""
        digits = self.to_phone
        if len(digits) <= 3:
            return digits
        return "•" * (len(digits) - 3) + digits[-3:]

    @property
    def consent_relative_id(self) -> int | None:
        """The relative whose consent covers this message (None: the recipient's own)."""
        return self.relative_id if self.audience == SmsAudience.RELATIVE else None


class StaffSmsConsent(TenantModel):
    """A staff member's own consent to work SMS (team meetings, digests)."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(_("gitt"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("trukket"), null=True, blank=True)
    withdrawal_note = models.CharField(_("merknad"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("samtykke til SMS (medarbeider)")
        verbose_name_plural = _("samtykker til SMS (medarbeidere)")
        ordering = ["-given_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(withdrawn_at__isnull=True),
                name="staff_sms_consent_one_active",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="staff_sms_consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"SMS-samtykke {self.membership_id}"

    def is_active_at(self, when: datetime) -> bool:
        """True when given at or before `when` and not withdrawn by then."""
        return self.given_at <= when and (self.withdrawn_at is None or self.withdrawn_at > when)


class SmsTemplateKind(models.TextChoices):
    """The organization's editable texts for the feedback SMS after a visit."""

    FEEDBACK_RELATIVE = "feedback_relative", _("Tilbakemelding til pårørende som er kunde")
    FEEDBACK_THANKS = "feedback_thanks", _("Takk for besøket, når brukeren selv er kunde")


class SmsTemplate(TenantModel):
    """An organization's own wording of a message; the built-in text is used until it exists."""

    kind = models.CharField(_("melding"), max_length=30, choices=SmsTemplateKind.choices)
    body = models.TextField(_("tekst"), max_length=600)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("endret"), default=timezone.now)

    class Meta:
        verbose_name = _("SMS-mal")
        verbose_name_plural = _("SMS-maler")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"], name="sms_template_one_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.organization_id})"


# --- Replies (issue 21): every inbound SMS that is not a STOPP is kept -----------------------


class InboundSms(TenantModel):
    """An SMS sent to the organization's number that is not a STOPP: kept, never dropped.

    With a recipient it is a reply in that recipient's conversation (from a relative, or
    from the recipient when `relative` is empty), on the card and on *Følg opp* until a
    leader marks it handled. Without one the number is known only from the outbox (the
    organization texted it once): admin's list *Ukjente avsendere*. One row per
    organization (and recipient) that knows the number: each sees only its own.
    """

    recipient = models.ForeignKey(
        CareRecipient, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    relative = models.ForeignKey(
        Relative, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    from_phone = models.CharField(_("fra"), max_length=32)
    body = models.TextField(_("tekst"), max_length=2000)
    received_at = models.DateTimeField(_("mottatt"), default=timezone.now)
    # Twilio's MessageSid: a retried webhook finds the row it stored the first time.
    provider_sid = models.CharField(max_length=64, blank=True)
    handled_at = models.DateTimeField(_("behandlet"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_note = models.CharField(_("merknad"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("innkommende SMS")
        verbose_name_plural = _("innkommende SMS-er")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "recipient", "received_at"]),
            models.Index(fields=["organization", "handled_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provider_sid", "recipient"],
                condition=~Q(provider_sid="") & Q(recipient__isnull=False),
                name="inbound_sms_once_per_recipient",
            ),
            models.UniqueConstraint(
                fields=["organization", "provider_sid"],
                condition=~Q(provider_sid="") & Q(recipient__isnull=True),
                name="inbound_sms_once_unknown",
            ),
            models.CheckConstraint(
                condition=Q(relative__isnull=True) | Q(recipient__isnull=False),
                name="inbound_sms_relative_has_recipient",
            ),
        ]

    def __str__(self) -> str:
        # No text and no number: the label goes into the audit log.
        return f"SMS-svar {self.pk}"

    @property
    def from_recipient(self) -> bool:
        return self.recipient_id is not None and self.relative_id is None


class InboundSmsRead(TenantModel):
    """A leader has seen a reply (opened the card it is on): unread is per leader."""

    message = models.ForeignKey(InboundSms, on_delete=models.CASCADE, related_name="reads")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lest SMS-svar")
        verbose_name_plural = _("leste SMS-svar")
        constraints = [
            models.UniqueConstraint(fields=["message", "membership"], name="inbound_sms_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} lest av {self.membership_id}"


class UnmatchedInboundSms(models.Model):
    """An SMS from a number no organization knows (no relative, recipient or outbox row):
    not a tenant's, so only platform staff see it, in the Django admin."""

    from_phone = models.CharField(_("fra"), max_length=32)
    body = models.TextField(_("tekst"), max_length=2000)
    received_at = models.DateTimeField(_("mottatt"), default=timezone.now)
    provider_sid = models.CharField(max_length=64, blank=True)
    handled_at = models.DateTimeField(_("behandlet"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_note = models.CharField(_("merknad"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("SMS fra ukjent nummer")
        verbose_name_plural = _("SMS-er fra ukjente numre")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_sid"],
                condition=~Q(provider_sid=""),
                name="unmatched_inbound_sms_once",
            )
        ]

    def __str__(self) -> str:
        return f"SMS {self.pk} fra ukjent nummer"
