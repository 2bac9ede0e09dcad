"""Care recipients (brukere), customers (kunder), relatives (pårørende) and consent."""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property
from typing import NamedTuple

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from seniorene.accounts.models import Department, Membership, TenantModel

# Norwegian alphabetical order (Æ Ø Å after Z): an ICU collation on PostgreSQL
# (migration 0001), a Python collation registered per connection on SQLite
# (customers.apps).
NORWEGIAN = "nb_no"
NOTE_MAX = 2000


class RecipientStatus(models.TextChoices):
    INQUIRY = "inquiry", _("Henvendelse")
    SCREENING = "screening", _("Kartlegging")
    INTAKE_BOOKED = "intake_booked", _("Bli kjent avtalt")
    # Bli kjent went well ("God match"): a leader makes the first plan, which activates.
    READY = "ready", _("Klar for plan")
    # The person said no in the Bli kjent meeting; kept (not ended) so a leader can call
    # again on the interview's recontact date. Retention counts from the status change.
    DECLINED = "declined", _("Takket nei")
    ACTIVE = "active", _("Aktiv")
    PAUSED = "paused", _("Pause")
    ENDED = "ended", _("Avsluttet")


class InquirySource(models.TextChoices):
    """How an inquiry came (the manual: marketing, ambassadors, fairs). Blank: unknown."""

    FAMILY = "family", _("Familie eller venner")
    MUNICIPALITY = "municipality", _("Kommune eller helsepersonell")
    PARTNER = "partner", _("En samarbeidspartner")
    FAIR = "fair", _("Messe eller stand")
    MEDIA = "media", _("Facebook eller andre medier")
    OTHER = "other", _("Annet")


UNKNOWN_SOURCE_LABEL = _("Ukjent")


class PartnerKind(models.TextChoices):
    """The manual's "ambassadører og støttespillere"."""

    VOLUNTEER_CENTRE = "volunteer_centre", _("Frivilligsentral")
    PENSIONERS = "pensioners", _("Pensjonistforening")
    RELATIVES = "relatives", _("Pårørendeforening")
    ELDER_OMBUD = "elder_ombud", _("Eldreombud")
    OTHER = "other", _("Annet")


class Partner(TenantModel):
    """An organisation that helps spread the word and sends inquiries (samarbeidspartner)."""

    name = models.CharField(_("organisasjon"), max_length=150, db_collation=NORWEGIAN)
    kind = models.CharField(_("type"), max_length=20, choices=PartnerKind.choices)
    contact_name = models.CharField(_("kontaktperson"), max_length=150, blank=True)
    phone = PhoneNumberField(_("telefon"), blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    follow_up = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("følges opp av"),
    )
    notes = models.TextField(_("notater"), blank=True, validators=[MaxLengthValidator(NOTE_MAX)])
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("samarbeidspartner")
        verbose_name_plural = _("samarbeidspartnere")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerMeeting(TenantModel):
    """A meeting held with a partner: when, what was said, who was there from us."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField(_("dato"))
    note = models.TextField(_("notat"), blank=True, validators=[MaxLengthValidator(NOTE_MAX)])
    attendees = models.ManyToManyField(
        Membership,
        through="PartnerMeetingAttendee",
        related_name="+",
        blank=True,
        verbose_name=_("med fra oss"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("møte med samarbeidspartner")
        verbose_name_plural = _("møter med samarbeidspartnere")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.date}"


class PartnerMeetingAttendee(TenantModel):
    meeting = models.ForeignKey(PartnerMeeting, on_delete=models.CASCADE)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "membership"], name="partner_meeting_attendee_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} @ {self.meeting_id}"


class PhoneLink(NamedTuple):
    e164: str
    national: str


class CareRecipient(TenantModel):
    """The person who is visited (bruker)."""

    name = models.CharField(_("navn"), max_length=150, db_collation=NORWEGIAN)
    date_of_birth = models.DateField(_("fødselsdato"))
    address = models.CharField(_("adresse"), max_length=200)
    postal_code = models.CharField(_("postnummer"), max_length=4, blank=True)
    city = models.CharField(_("poststed"), max_length=80, blank=True)
    phone = PhoneNumberField(_("telefon"), blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="recipients", verbose_name=_("avdeling")
    )
    key_notes = models.TextField(
        _("viktige merknader"),
        blank=True,
        validators=[MaxLengthValidator(NOTE_MAX)],
        help_text=_("Det seniorene må vite før besøket: nøkkel, dørkode, hørsel, allergier."),
    )
    contact_person = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        related_name="contact_for",
        null=True,
        blank=True,
        verbose_name=_("kontaktperson"),
        help_text=_("Avdelingslederen pårørende kan kontakte."),
    )
    seniors = models.ManyToManyField(
        Membership,
        through="Assignment",
        related_name="assigned_recipients",
        blank=True,
        verbose_name=_("seniorer"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RecipientStatus.choices, default=RecipientStatus.INQUIRY
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    # How the inquiry came (issue 19); blank on rows from before it was asked: unknown.
    inquiry_source = models.CharField(
        _("henvendelsen kom via"), max_length=20, choices=InquirySource.choices, blank=True
    )
    inquiry_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recipients",
        verbose_name=_("samarbeidspartner"),
    )
    inquiry_source_note = models.CharField(_("kilde, utdypet"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bruker")
        verbose_name_plural = _("brukere")
        indexes = [
            models.Index(fields=["organization", "department", "status"]),
            models.Index(fields=["organization", "name", "date_of_birth"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def inquiry_source_label(self) -> str:
        """How the inquiry came, as shown: with the partner or the note; "Ukjent" if blank."""
        if not self.inquiry_source:
            return str(UNKNOWN_SOURCE_LABEL)
        label = str(self.get_inquiry_source_display())
        if self.inquiry_source == InquirySource.PARTNER and self.inquiry_partner_id:
            return f"{label}: {self.inquiry_partner}"
        if self.inquiry_source_note:
            return f"{label}: {self.inquiry_source_note}"
        return label

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    @property
    def is_ended(self) -> bool:
        return self.status == RecipientStatus.ENDED

    @cached_property
    def phone_link(self) -> PhoneLink | None:
        """The phone for a tel: link and as written in Norway, or None without one."""
        return PhoneLink(self.phone.as_e164, self.phone.as_national) if self.phone else None

    @property
    def full_address(self) -> str:
        place = " ".join(p for p in (self.postal_code, self.city) if p)
        return ", ".join(p for p in (self.address, place) if p)


class Assignment(TenantModel):
    """A senior who visits this recipient."""

    recipient = models.ForeignKey(CareRecipient, on_delete=models.CASCADE)
    senior = models.ForeignKey(Membership, on_delete=models.PROTECT)
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "senior"], name="assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.senior_id} → {self.recipient_id}"


class StatusChange(TenantModel):
    """The recipient's status history: who changed it, when, why."""

    recipient = models.ForeignKey(
        CareRecipient, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=RecipientStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=RecipientStatus.choices)
    reason = models.TextField(_("begrunnelse"), blank=True, validators=[MaxLengthValidator(500)])
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Relation(models.TextChoices):
    CHILD = "child", _("Barn")
    SPOUSE = "spouse", _("Ektefelle/samboer")
    SIBLING = "sibling", _("Søsken")
    GRANDCHILD = "grandchild", _("Barnebarn")
    FRIEND = "friend", _("Venn/nabo")
    GUARDIAN = "guardian", _("Verge")
    OTHER = "other", _("Annet")


class Relative(TenantModel):
    """A relative or next of kin (pårørende)."""

    recipient = models.ForeignKey(CareRecipient, on_delete=models.CASCADE, related_name="relatives")
    name = models.CharField(_("navn"), max_length=150)
    relation = models.CharField(_("relasjon"), max_length=20, choices=Relation.choices)
    phone = PhoneNumberField(_("mobil"), blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    contact_during_visits = models.BooleanField(
        _("kontakt under besøk"),
        default=False,
        help_text=_(
            "Kan kontaktes hvis det er behov i selve besøket (intervjuskjema, spørsmål 4)."
        ),
    )
    ordered_service = models.BooleanField(_("bestilte tjenesten"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pårørende")
        verbose_name_plural = _("pårørende")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"


class CustomerKind(models.TextChoices):
    RECIPIENT = "recipient", _("Brukeren selv")
    RELATIVE = "relative", _("Pårørende")
    MUNICIPALITY = "municipality", _("Kommune")
    NURSING_HOME = "nursing_home", _("Sykehjem")


class Customer(TenantModel):
    """Who orders and pays. A recipient has one current customer; older rows are history."""

    recipient = models.ForeignKey(CareRecipient, on_delete=models.CASCADE, related_name="customers")
    kind = models.CharField(_("kunde er"), max_length=20, choices=CustomerKind.choices)
    relative = models.ForeignKey(
        Relative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pårørende"),
    )
    name = models.CharField(_("navn på kommune/sykehjem"), max_length=150, blank=True)
    org_number = models.CharField(_("organisasjonsnummer"), max_length=9, blank=True)
    invoice_reference = models.CharField(_("fakturareferanse"), max_length=100, blank=True)
    project_number = models.CharField(
        _("prosjektnummer i Tripletex"),
        max_length=30,
        blank=True,
        help_text=_("Timer, kilometer og utlegg eksporteres med dette prosjektnummeret."),
    )
    contact_name = models.CharField(_("kontaktperson"), max_length=150, blank=True)
    contact_phone = PhoneNumberField(_("kontaktperson telefon"), blank=True)
    contact_email = models.EmailField(_("kontaktperson e-post"), blank=True)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kunde")
        verbose_name_plural = _("kunder")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient"], condition=Q(is_current=True), name="one_current_customer"
            ),
            models.CheckConstraint(
                condition=~Q(kind="relative") | Q(relative__isnull=False),
                name="customer_relative_needs_relative",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == CustomerKind.RECIPIENT:
            return str(self.recipient)
        if self.kind == CustomerKind.RELATIVE and self.relative is not None:
            return self.relative.name
        return self.name


class ConsentPurpose(models.TextChoices):
    VISIT_SUMMARY_SMS = "visit_summary_sms", _("Oppsummering etter besøk på SMS")
    REMINDER_SMS = "reminder_sms", _("Påminnelser på SMS")
    NOTEBOOK_SHARING = "notebook_sharing", _("Deling av besøksboken")


class ConsentGiver(models.TextChoices):
    RECIPIENT = "recipient", _("Brukeren selv")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Verge/fullmektig")


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Muntlig")
    WRITTEN = "written", _("Skriftlig")


class Consent(TenantModel):
    """Consent (R4/R5) for one purpose towards one person: a relative, or the recipient.

    Rows are only added; withdrawal fills the withdrawal fields once. A new
    consent after a withdrawal is a new row, so the history is never lost.
    """

    recipient = models.ForeignKey(CareRecipient, on_delete=models.CASCADE, related_name="consents")
    relative = models.ForeignKey(
        Relative,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consents",
        help_text=_("Tom: samtykket gjelder meldinger til brukeren selv."),
    )
    purpose = models.CharField(_("formål"), max_length=30, choices=ConsentPurpose.choices)
    given_by = models.CharField(_("gitt av"), max_length=30, choices=ConsentGiver.choices)
    given_by_name = models.CharField(_("navn på verge/fullmektig"), max_length=150, blank=True)
    method = models.CharField(_("hvordan"), max_length=10, choices=ConsentMethod.choices)
    given_at = models.DateTimeField(_("gitt"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("trukket"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_note = models.CharField(_("merknad"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("samtykke")
        verbose_name_plural = _("samtykker")
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["recipient", "relative", "purpose"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.recipient_id}/{self.relative_id})"

    def is_active_at(self, when: datetime) -> bool:
        """True when given at or before `when` and not withdrawn by then."""
        return self.given_at <= when and (self.withdrawn_at is None or self.withdrawn_at > when)


# --- The relative's own page (issue 21) -------------------------------------------------
# A relative opens their page from a link in an SMS; no password. The link's token and the
# trusted device's cookie are long random strings of which only a SHA-256 hash is stored;
# the one-time code only as an HMAC. `customers.relative_access` issues and checks them.


class RelativeLink(TenantModel):
    """A link to a relative's own page, sent in an SMS. Valid until `expires_at` (30 days,
    renewed by every new SMS to the relative), or until a leader revokes it."""

    relative = models.ForeignKey(Relative, on_delete=models.CASCADE, related_name="page_links")
    token_hash = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lenke til pårørendesiden")
        verbose_name_plural = _("lenker til pårørendesiden")
        indexes = [models.Index(fields=["relative", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.relative_id}: {self.issued_at:%Y-%m-%d}"

    def is_valid_at(self, when: datetime) -> bool:
        return self.revoked_at is None and when < self.expires_at


class RelativeDevice(TenantModel):
    """A phone or browser a relative has confirmed with a one-time code (a cookie)."""

    relative = models.ForeignKey(Relative, on_delete=models.CASCADE, related_name="page_devices")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("godkjent enhet for pårørendesiden")
        verbose_name_plural = _("godkjente enheter for pårørendesiden")

    def __str__(self) -> str:
        return f"{self.relative_id}: {self.created_at:%Y-%m-%d}"


class RelativeAccessCode(TenantModel):
    """A one-time code sent by SMS to the relative's number, to trust a new device."""

    relative = models.ForeignKey(Relative, on_delete=models.CASCADE, related_name="page_codes")
    link = models.ForeignKey(RelativeLink, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("engangskode til pårørendesiden")
        verbose_name_plural = _("engangskoder til pårørendesiden")

    def __str__(self) -> str:
        return f"{self.relative_id}: {self.created_at:%Y-%m-%d %H:%M}"
