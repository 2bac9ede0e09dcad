"""Visit plans, visits, availability, calendar feeds, and what the senior logs after a visit
(the notebook entry). Hours, km and outlays are the ledger's (`ledger.models`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import CareRecipient
from seniorene.accounts.models import Membership, TenantModel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

WEEKDAYS = [
    (0, _("mandag")),
    (1, _("tirsdag")),
    (2, _("onsdag")),
    (3, _("torsdag")),
    (4, _("fredag")),
    (5, _("lørdag")),
    (6, _("søndag")),
]
ALL_WEEKDAYS_MASK = 0b1111111


def weekdays_to_mask(weekdays: Iterable[int]) -> int:
    """Weekday numbers (Monday 0) as a bit mask (Monday bit 0)."""
    mask = 0
    for day in weekdays:
        if not 0 <= int(day) <= 6:
            raise ValueError(f"weekday {day} out of range")
        mask |= 1 << int(day)
    return mask


def mask_to_weekdays(mask: int) -> list[int]:
    return [day for day in range(7) if mask & (1 << day)]


class VisitPlan(TenantModel):
    """A recurring visit (besøksplan): weekdays, a local start time, every N weeks.

    Weeks are counted from the Monday of `first_date`'s week; the start time is
    Europe/Oslo civil time (R10). `visits.planning.plans_expand` turns it into
    `Visit` rows for the rolling horizon.
    """

    recipient = models.ForeignKey(
        CareRecipient, on_delete=models.PROTECT, related_name="visit_plans"
    )
    senior = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="visit_plans", verbose_name=_("senior")
    )
    service_areas = models.ManyToManyField(
        "omsorg.ServiceArea",
        through="PlanServiceArea",
        related_name="+",
        blank=True,
        verbose_name=_("tjenesteområder"),
    )
    weekdays = models.PositiveSmallIntegerField(
        _("ukedager"), help_text=_("Bitmaske: mandag = 1, tirsdag = 2, onsdag = 4 …")
    )
    start_time = models.TimeField(_("klokkeslett"))
    duration_minutes = models.PositiveSmallIntegerField(_("varighet (minutter)"), default=60)
    every_n_weeks = models.PositiveSmallIntegerField(_("hver N. uke"), default=1)
    first_date = models.DateField(_("første dato"))
    last_date = models.DateField(_("siste dato"), null=True, blank=True)
    notes = models.TextField(_("merknader"), blank=True, validators=[MaxLengthValidator(1000)])
    # Made without a completed Bli kjent with a good match and a customer: the leader's why.
    override_reason = models.CharField(
        _("begrunnelse for plan uten godkjent Bli kjent"), max_length=500, blank=True
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("besøksplan")
        verbose_name_plural = _("besøksplaner")
        ordering = ["first_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekdays__gte=1, weekdays__lte=ALL_WEEKDAYS_MASK),
                name="visitplan_weekdays_valid",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=480),
                name="visitplan_duration_valid",
            ),
            models.CheckConstraint(
                condition=Q(every_n_weeks__gte=1, every_n_weeks__lte=12),
                name="visitplan_every_n_weeks_valid",
            ),
            models.CheckConstraint(
                condition=Q(last_date__isnull=True) | Q(last_date__gte=models.F("first_date")),
                name="visitplan_last_after_first",
            ),
        ]
        indexes = [models.Index(fields=["organization", "ended_at", "recipient"])]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.describe()}"

    @property
    def weekday_list(self) -> list[int]:
        return mask_to_weekdays(self.weekdays)

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None

    def describe(self) -> str:
        """A short Bokmål description: "tirsdag og torsdag kl. 11.00, hver uke"."""
        from django.utils.text import get_text_list

        names = dict(WEEKDAYS)
        days = get_text_list([str(names[d]) for d in self.weekday_list], str(_("og")))
        every: StrOrPromise
        if self.every_n_weeks == 1:
            every = _("hver uke")
        elif self.every_n_weeks == 2:
            every = _("annenhver uke")
        else:
            every = _("hver %(n)s. uke") % {"n": self.every_n_weeks}
        return _("%(days)s kl. %(time)s, %(every)s") % {
            "days": days,
            "time": self.start_time.strftime("%H.%M"),
            "every": every,
        }


class PlanServiceArea(TenantModel):
    plan = models.ForeignKey(VisitPlan, on_delete=models.CASCADE)
    service_area = models.ForeignKey("omsorg.ServiceArea", on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "service_area"], name="plan_area_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} → {self.service_area_id}"


class VisitStatus(models.TextChoices):
    """Where a visit is. The visit-logging issue may add states (e.g. checked in)."""

    PLANNED = "planned", _("Planlagt")
    MOVED = "moved", _("Flyttet")
    CANCELLED = "cancelled", _("Avlyst")
    LOGGED = "logged", _("Gjennomført")
    NOT_HAPPENED = "not_happened", _("Ble ikke noe av")
    # A leader closed a past visit that no report will come for (with a reason).
    CLOSED = "closed", _("Lukket uten rapport")


# Visits that still take up the senior's time (and show in calendars).
ACTIVE_STATUSES = (VisitStatus.PLANNED, VisitStatus.MOVED)
# Visits that count as happening or happened (double-booking checks use these).
OCCUPYING_STATUSES = (VisitStatus.PLANNED, VisitStatus.MOVED, VisitStatus.LOGGED)


class CancelKind(models.TextChoices):
    CUSTOMER = "customer", _("Avlyst av kunden")
    SENIOR = "senior", _("Avlyst av senioren")
    OTHER = "other", _("Annen grunn")
    # Set by the system (the R11 hook, plan changes), not chosen by people.
    RECIPIENT_PAUSED = "recipient_paused", _("Brukeren har pause")
    RECIPIENT_ENDED = "recipient_ended", _("Brukeren er avsluttet")
    PLAN_CHANGED = "plan_changed", _("Besøksplanen er endret")
    PLAN_ENDED = "plan_ended", _("Besøksplanen er avsluttet")


# The kinds a leader chooses between in the cancel form.
CHOSEN_CANCEL_KINDS = (CancelKind.CUSTOMER, CancelKind.SENIOR, CancelKind.OTHER)


class Visit(TenantModel):
    """One visit (besøk). From a plan (`plan`, `original_date`) or a one-off (plan empty).

    `detached`: changed by hand (moved, cancelled, reassigned); edits of the
    plan no longer touch it.
    """

    # Not a field: set on loaded visits by `visits.conflicts.with_conflicts` and the week.
    conflicts: list[Any]

    plan = models.ForeignKey(
        VisitPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    recipient = models.ForeignKey(CareRecipient, on_delete=models.PROTECT, related_name="visits")
    senior = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="visits", verbose_name=_("senior")
    )
    starts_at = models.DateTimeField(_("tidspunkt"))
    duration_minutes = models.PositiveSmallIntegerField(_("varighet (minutter)"), default=60)
    original_date = models.DateField(
        null=True, blank=True, help_text=_("Planens lokale dato for dette besøket.")
    )
    original_starts_at = models.DateTimeField()
    status = models.CharField(
        _("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    detached = models.BooleanField(_("endret enkeltvis"), default=False)
    service_areas = models.ManyToManyField(
        "omsorg.ServiceArea",
        through="VisitServiceArea",
        related_name="+",
        blank=True,
        verbose_name=_("tjenesteområder"),
    )
    cancel_kind = models.CharField(
        _("avlyst av"), max_length=20, choices=CancelKind.choices, blank=True
    )
    cancel_reason = models.CharField(_("begrunnelse"), max_length=300, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # "Lukk uten rapport": a leader closed the visit on the senior's behalf, and why.
    closed_reason = models.CharField(_("hvorfor lukket"), max_length=300, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("besøk")
        verbose_name_plural = _("besøk")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "original_date"],
                condition=Q(plan__isnull=False),
                name="visit_once_per_plan_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="visit_cancelled_has_time",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=480),
                name="visit_duration_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="visit_closed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "senior", "starts_at"]),
            models.Index(fields=["organization", "recipient", "starts_at"]),
            # The week, the leader's "I dag" and the follow-up lists read a department's
            # visits in a time span: without it PostgreSQL scans a year of visits.
            models.Index(fields=["organization", "starts_at"]),
            # A senior's "Ikke ført" (planned or moved, before today, however long ago): the
            # open visits only, so that the agenda does not read the senior's whole history.
            models.Index(
                fields=["organization", "senior", "starts_at"],
                condition=Q(status__in=["planned", "moved"]),
                name="visit_open_by_senior",
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.recipient} {local:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def local_date(self) -> date:
        return timezone.localtime(self.starts_at).date()

    @property
    def is_cancelled(self) -> bool:
        return self.status == VisitStatus.CANCELLED

    @property
    def is_open(self) -> bool:
        """Planned or moved: may still be moved, cancelled or reassigned."""
        return self.status in ACTIVE_STATUSES

    @property
    def was_moved(self) -> bool:
        return self.starts_at != self.original_starts_at


class VisitServiceArea(TenantModel):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE)
    service_area = models.ForeignKey("omsorg.ServiceArea", on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "service_area"], name="visit_area_unique")
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} → {self.service_area_id}"


class SeniorAvailability(TenantModel):
    """When a senior has said they can visit: a weekday and a local time window."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="availability"
    )
    weekday = models.PositiveSmallIntegerField(_("ukedag"), choices=WEEKDAYS)
    start_time = models.TimeField(_("fra"))
    end_time = models.TimeField(_("til"))

    class Meta:
        verbose_name = _("tilgjengelighet")
        verbose_name_plural = _("tilgjengelighet")
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__lte=6) & Q(start_time__lt=models.F("end_time")),
                name="availability_valid_window",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H.%M}–{self.end_time:%H.%M}"

    def covers(self, weekday: int, start: time, end: time) -> bool:
        return self.weekday == weekday and self.start_time <= start and end <= self.end_time


class SeniorAbsence(TenantModel):
    """A period the senior is away ("bortreist 3.–17. mars"): both days included.

    Visits of the senior on these days are shown as conflicts and listed for the leader
    on *Følg opp* until each has another senior (`visits.absences`)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField(_("fra dato"))
    ends_on = models.DateField(_("til og med dato"))
    note = models.CharField(_("merknad"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fravær")
        verbose_name_plural = _("fravær")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["organization", "membership", "ends_on"])]

    def __str__(self) -> str:
        return f"absence {self.membership_id} {self.starts_on}–{self.ends_on}"

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class CalendarFeed(TenantModel):
    """A senior's secret calendar (ICS) address.

    The URL carries `key` and an HMAC of it under SECRET_KEY, so the database
    alone does not reveal a working address; a new key revokes the old one.
    """

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar {self.membership_id}"


class VisitLog(TenantModel):
    """What happened at a visit: times, what was done, and the notebook entry.

    One per visit. `submission_key` comes from the form, so the same submission
    sent twice (a double tap, a retry on a bad connection) stores one log.
    """

    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="log")
    recipient = models.ForeignKey(
        CareRecipient, on_delete=models.PROTECT, related_name="visit_logs"
    )
    happened = models.BooleanField(_("besøket ble gjennomført"), default=True)
    not_happened_reason = models.CharField(_("hvorfor ikke"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(_("kom"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("gikk"), null=True, blank=True)
    done_areas = models.JSONField(_("gjort"), default=list, blank=True)
    went_well = models.TextField(_("hva gikk bra"), blank=True, max_length=2000)
    could_change = models.TextField(_("hva kan endres"), blank=True, max_length=2000)
    share_with_relatives = models.BooleanField(_("kan deles med pårørende"), default=False)
    submission_key = models.UUIDField(unique=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(auto_now_add=True)
    # A leader (or the lead) logged the visit for the senior: why (empty: the senior did).
    on_behalf_reason = models.CharField(_("ført for senioren fordi"), max_length=300, blank=True)
    # Hours far above the plan (`visits.logging.MANY_HOURS_MARGIN`): confirmed by whoever
    # logged them, and on the leaders' "Følg opp" page until a leader has seen them.
    many_hours = models.BooleanField(_("mange timer ført"), default=False)
    many_hours_seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    many_hours_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("besøkslogg")
        verbose_name_plural = _("besøkslogger")
        ordering = ["-logged_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=True)
                | Q(checked_out_at__gt=models.F("checked_in_at")),
                name="visit_log_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id}: {'gjennomført' if self.happened else 'ikke'}"


class VisitLogDraft(TenantModel):
    """What the senior has typed into the visit log so far, saved as they type, so a locked
    phone or a lost connection loses nothing. Deleted when the visit is logged.

    A draft belongs to the senior who typed it: one per (visit, senior), read only for the
    visit's current senior, so a reassigned visit opens empty for the new senior."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="log_drafts")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(default=timezone.now)
    # "Jeg er fremme": when the senior checked in (the late-start alert looks for it).
    arrived_at = models.DateTimeField(_("kom fram"), null=True, blank=True)

    class Meta:
        verbose_name = _("utkast til besøkslogg")
        verbose_name_plural = _("utkast til besøkslogger")
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "membership"], name="visit_log_draft_one_per_senior"
            ),
        ]

    def __str__(self) -> str:
        return f"utkast {self.visit_id}"


class ConcernCategory(models.TextChoices):
    """What "Noe lederen bør vite" is about."""

    FALL = "fall", _("Fall eller skade")
    HEALTH = "health", _("Endring i helse")
    MOOD = "mood", _("Endring i humør eller hukommelse")
    HOME = "home", _("Noe i hjemmet")
    UNHAPPY = "unhappy", _("Misfornøyd med tjenesten")
    OTHER = "other", _("Annet")


class Concern(TenantModel):
    """Something the leader should know, raised by the senior with a visit log ("Noe lederen
    bør vite"). It stands at the top of *Følg opp* until a leader writes what was done; the
    lead is told when it is still unanswered 24 hours after it was raised. The senior sees
    when it was read and answered.

    The text may be about health: it is shown only to the department's leaders, the lead,
    admin and the senior who raised it, never sent in an SMS."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="concerns")
    recipient = models.ForeignKey(CareRecipient, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("hva gjelder det"), max_length=10, choices=ConcernCategory)
    text = models.TextField(_("hva skjedde"), max_length=2000)
    raised_at = models.DateTimeField(_("meldt"), default=timezone.now)
    read_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    read_at = models.DateTimeField(_("lest"), null=True, blank=True)
    answer = models.TextField(_("hva ble gjort"), blank=True, max_length=2000)
    answered_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("besvart"), null=True, blank=True)
    # When the lead was told that nobody had answered within 24 hours (once).
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("melding til leder")
        verbose_name_plural = _("meldinger til leder")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="concern_answer_has_text",
            ),
        ]
        indexes = [models.Index(fields=["organization", "answered_at", "raised_at"])]

    def __str__(self) -> str:
        # The audit rows' label: no category, no text (they may be about health).
        return f"Melding til leder om besøk {self.visit_id}"


class ConcernAlert(models.TextChoices):
    """How a leader hears of a new "Noe lederen bør vite" besides the app."""

    APP = "app", _("Bare i appen")
    EMAIL = "email", _("E-post")
    SMS = "sms", _("SMS")


class ConcernAlertChoice(TenantModel):
    """A leader's choice of how to hear of a new concern from the seniors ("Varsle meg om
    meldinger fra seniorene"). No row means the default, e-mail (`CONCERN_ALERT_DEFAULT`).
    The message never carries the concern's text: it says who wrote and links to the app."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="concern_alert"
    )
    channel = models.CharField(
        _("varsle meg"), max_length=5, choices=ConcernAlert, default=ConcernAlert.EMAIL
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("varsel om meldinger fra seniorene")
        verbose_name_plural = _("varsler om meldinger fra seniorene")

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.channel}"


CONCERN_ALERT_DEFAULT = ConcernAlert.EMAIL
