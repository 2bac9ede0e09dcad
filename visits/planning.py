"""Visit plans: create, update and end them, and expand them into visits for the horizon (R10).

Every change writes its audit row. Also the frequency hint read from interview question 9.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.models import CareRecipient, RecipientStatus
from customers.services import recipient_activate_by_plan
from omsorg.models import ServiceArea
from seniorene.accounts.models import Membership, Role
from seniorene.audit.services import audit_record
from visits.civil_time import horizon_end, local_datetime, plan_dates
from visits.models import (
    ACTIVE_STATUSES,
    CancelKind,
    PlanServiceArea,
    Visit,
    VisitPlan,
    VisitServiceArea,
    VisitStatus,
    weekdays_to_mask,
)

MAX_DURATION = 480
MAX_EVERY_N_WEEKS = 12
# Cancelled by the system (not by a person): the expansion may bring these back.
REVIVABLE_KINDS = (CancelKind.RECIPIENT_PAUSED, CancelKind.PLAN_CHANGED)
# Recipients whose plans are not expanded.
# "Takket nei" too: a recipient who declined after Bli kjent gets no new visits.
STOPPED_RECIPIENT_STATUSES = (
    RecipientStatus.PAUSED,
    RecipientStatus.ENDED,
    RecipientStatus.DECLINED,
)
# A plan without a good-match interview or a customer needs a reason this long.
OVERRIDE_MIN_LENGTH = 10


@dataclass(frozen=True)
class Missing:
    """A step the intake has not taken that a plan needs (code for the audit row)."""

    code: str
    message: str


def plan_requirements(recipient: CareRecipient) -> list[Missing]:
    """What a first plan needs and the recipient lacks: a completed Bli kjent meeting
    whose outcome is a good match (the latest completed one counts), and a customer (the
    one who pays). Empty: a plan may be made. The manual: the interview is "obligatorisk
    … før besøksordningen igangsettes"."""
    from customers.services import current_customer
    from omsorg.models import Outcome
    from omsorg.services import latest_completed_interview

    missing = []
    interview = latest_completed_interview(recipient)
    if interview is None:
        missing.append(
            Missing(
                "interview",
                _("Bli kjent-møtet er ikke gjennomført: avtal og gjennomfør det først."),
            )
        )
    elif interview.outcome == Outcome.DECLINED:
        missing.append(
            Missing("declined", _("Brukeren takket nei i Bli kjent-møtet: ingen plan nå."))
        )
    elif interview.outcome == Outcome.TRY_ANOTHER:
        missing.append(
            Missing(
                "try_another",
                _(
                    "Bli kjent-møtet endte med «Prøv en annen senior»: avtal et nytt møte "
                    "med en annen senior først."
                ),
            )
        )
    elif interview.outcome != Outcome.GOOD_MATCH:
        missing.append(Missing("outcome", _("Bli kjent-møtet har ikke utfallet «God match».")))
    if current_customer(recipient) is None:
        missing.append(
            Missing(
                "customer",
                _("Brukeren har ingen kunde (den som betaler): registrer kunden på brukerkortet."),
            )
        )
    return missing


def _check_requirements(recipient: CareRecipient, reason: str) -> list[Missing]:
    """Refuse a first plan the intake does not allow, unless a leader wrote why."""
    missing = plan_requirements(recipient)
    if missing and len(reason) < OVERRIDE_MIN_LENGTH:
        raise ValidationError(
            _(
                "En besøksplan krever et gjennomført Bli kjent-møte med god match og en kunde. "
                "%(missing)s Haster det (for eksempel en hastehenvisning fra kommunen), skriv "
                "en begrunnelse på minst %(n)s tegn for å lage planen likevel."
            )
            % {"missing": " ".join(m.message for m in missing), "n": OVERRIDE_MIN_LENGTH}
        )
    return missing


@dataclass(frozen=True)
class PlanFields:
    """What a leader chooses for a plan (the recipient is fixed when it is made)."""

    senior: Membership
    weekdays: tuple[int, ...]
    start_time: time
    duration_minutes: int = 60
    every_n_weeks: int = 1
    first_date: date = field(default_factory=timezone.localdate)
    last_date: date | None = None
    areas: tuple[ServiceArea, ...] = ()
    notes: str = ""
    # Why a plan is made although `plan_requirements` misses something (only then kept).
    override_reason: str = ""


@dataclass
class ExpandResult:
    created: int = 0
    updated: int = 0
    restored: int = 0
    cancelled: int = 0

    def __bool__(self) -> bool:
        return bool(self.created or self.updated or self.restored or self.cancelled)


def _check_senior(senior: Membership, organization_id: int) -> None:
    if senior.organization_id != organization_id or senior.role != Role.SENIOR:
        raise ValidationError(_("Velg en senior i organisasjonen."))
    if not senior.is_active:
        raise ValidationError(_("Senioren er ikke aktiv."))


def _check_fields(recipient: CareRecipient, fields: PlanFields) -> None:
    """Validate a plan's fields; R2 for the service areas."""
    from omsorg.services import service_areas_allowed

    if recipient.status == RecipientStatus.ENDED:
        raise ValidationError(_("Brukeren er avsluttet."))
    _check_senior(fields.senior, recipient.organization_id)
    if not fields.weekdays or any(not 0 <= d <= 6 for d in fields.weekdays):
        raise ValidationError(_("Velg minst én ukedag."))
    if not 15 <= fields.duration_minutes <= MAX_DURATION:
        raise ValidationError(_("Et besøk varer fra 15 minutter til 8 timer."))
    if not 1 <= fields.every_n_weeks <= MAX_EVERY_N_WEEKS:
        raise ValidationError(_("Velg hvor mange uker det skal gå mellom besøkene (1–12)."))
    if fields.last_date is not None and fields.last_date < fields.first_date:
        raise ValidationError(_("Siste dato kan ikke være før første dato."))
    for area in fields.areas:
        if area.organization_id != recipient.organization_id or not area.is_active:
            raise ValidationError(_("Velg tjenesteområder som er i bruk."))
    service_areas_allowed(recipient=recipient, areas=list(fields.areas))


def _ensure_assigned(recipient: CareRecipient, senior: Membership, by: Membership) -> None:
    """The plan's senior is one of the recipient's seniors (so they see the card)."""
    from customers.models import Assignment
    from customers.services import recipient_set_seniors

    current = list(
        Membership.objects.filter(
            pk__in=Assignment.objects.filter(recipient=recipient).values("senior_id")
        )
    )
    if senior.pk not in {m.pk for m in current}:
        recipient_set_seniors(recipient=recipient, by=by, seniors=[*current, senior])


def _set_plan_areas(plan: VisitPlan, areas: Sequence[ServiceArea]) -> None:
    PlanServiceArea.objects.filter(plan=plan).delete()
    PlanServiceArea.objects.bulk_create(
        [
            PlanServiceArea(organization_id=plan.organization_id, plan=plan, service_area=a)
            for a in areas
        ]
    )


@transaction.atomic
def plan_create(*, recipient: CareRecipient, by: Membership, fields: PlanFields) -> VisitPlan:
    """Make a recurring plan (or a one-off: first = last date) and its visits for the
    horizon: a good-match Bli kjent and a customer (`plan_requirements`, or the leader's
    written override), R2 areas, a trained senior (R6). The first plan activates."""
    from training.services import training_require_cleared

    _check_fields(recipient, fields)
    reason = fields.override_reason.strip()
    missing = _check_requirements(recipient, reason)
    training_require_cleared(membership=fields.senior)
    plan = VisitPlan.objects.create(
        organization_id=recipient.organization_id,
        recipient=recipient,
        senior=fields.senior,
        weekdays=weekdays_to_mask(fields.weekdays),
        start_time=fields.start_time,
        duration_minutes=fields.duration_minutes,
        every_n_weeks=fields.every_n_weeks,
        first_date=fields.first_date,
        last_date=fields.last_date,
        notes=fields.notes.strip(),
        override_reason=reason[:500] if missing else "",
        created_by=by.user,
    )
    _set_plan_areas(plan, fields.areas)
    _ensure_assigned(recipient, fields.senior, by)
    recipient_activate_by_plan(recipient=recipient, by=by)
    result = plans_expand(organization_id=plan.organization_id, plan_ids=[plan.pk])
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="plan.created",
        obj=plan,
        details={"recipient": recipient.pk, "senior": fields.senior.pk, "visits": result.created},
    )
    if missing:
        # The reason itself stays on the plan (anonymised with the recipient), not here.
        audit_record(
            organization=by.organization,
            actor=by.user,
            action="plan.override",
            obj=plan,
            details={"recipient": recipient.pk, "missing": [m.code for m in missing]},
        )
    return plan


@transaction.atomic
def plan_update(*, plan: VisitPlan, by: Membership, fields: PlanFields) -> ExpandResult:
    """Change a plan; its future untouched visits follow, changed ones keep their state."""
    from training.services import training_require_cleared

    plan = VisitPlan.objects.select_for_update().select_related("recipient").get(pk=plan.pk)
    if plan.is_ended:
        raise ValidationError(_("Besøksplanen er avsluttet."))
    _check_fields(plan.recipient, fields)
    if fields.senior.pk != plan.senior_id:
        training_require_cleared(membership=fields.senior)
    wanted: dict[str, Any] = {
        "senior": fields.senior,
        "weekdays": weekdays_to_mask(fields.weekdays),
        "start_time": fields.start_time,
        "duration_minutes": fields.duration_minutes,
        "every_n_weeks": fields.every_n_weeks,
        "first_date": fields.first_date,
        "last_date": fields.last_date,
        "notes": fields.notes.strip(),
    }
    changed = [
        name
        for name, value in wanted.items()
        if (plan.senior_id != value.pk if name == "senior" else getattr(plan, name) != value)
    ]
    for name, value in wanted.items():
        setattr(plan, name, value)
    plan.save()
    old_areas = set(
        PlanServiceArea.objects.filter(plan=plan).values_list("service_area_id", flat=True)
    )
    if old_areas != {a.pk for a in fields.areas}:
        _set_plan_areas(plan, fields.areas)
        changed.append("service_areas")
    if "senior" in changed:
        _ensure_assigned(plan.recipient, fields.senior, by)
    result = plans_expand(organization_id=plan.organization_id, plan_ids=[plan.pk])
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="plan.updated",
        obj=plan,
        details={
            "fields": changed,
            "created": result.created,
            "updated": result.updated,
            "cancelled": result.cancelled,
        },
    )
    return result


def _is_untouched_future(visit: Visit, now: datetime) -> bool:
    return visit.status == VisitStatus.PLANNED and not visit.detached and visit.starts_at > now


def _system_cancel(visits: Iterable[Visit], kind: str, now: datetime) -> list[Visit]:
    changed = []
    for visit in visits:
        visit.status = VisitStatus.CANCELLED
        visit.cancel_kind = kind
        visit.cancel_reason = ""
        visit.cancelled_by = None
        visit.cancelled_at = now
        visit.updated_at = now
        changed.append(visit)
    return changed


CANCEL_FIELDS = [
    "status",
    "cancel_kind",
    "cancel_reason",
    "cancelled_by",
    "cancelled_at",
    "updated_at",
]


@transaction.atomic
def plan_end(*, plan: VisitPlan, by: Membership) -> int:
    """Stop a plan: its future visits are cancelled; logged and past ones are kept."""
    plan = VisitPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.is_ended:
        return 0
    now = timezone.now()
    plan.ended_at = now
    plan.save(update_fields=["ended_at", "updated_at"])
    future = list(Visit.objects.filter(plan=plan, status__in=ACTIVE_STATUSES, starts_at__gt=now))
    Visit.objects.bulk_update(_system_cancel(future, CancelKind.PLAN_ENDED, now), CANCEL_FIELDS)
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="plan.ended",
        obj=plan,
        details={"cancelled": len(future)},
    )
    return len(future)


def _plan_runs(plan: VisitPlan) -> bool:
    """Whether the plan makes visits: not ended, recipient not paused or ended, senior active."""
    return (
        plan.ended_at is None
        and plan.recipient.status not in STOPPED_RECIPIENT_STATUSES
        and plan.senior.is_active
    )


@transaction.atomic
def plans_expand(
    *,
    organization_id: int,
    today: date | None = None,
    now: datetime | None = None,
    plan_ids: Collection[int] | None = None,
) -> ExpandResult:
    """Make and align the visits of running plans for the horizon; safe to run any number
    of times (the visit's (plan, original date) is unique, so a second run finds them).

    1. Lock the plans (so two runs do not race), read their visits in the window.
    2. A wanted date without a visit gets one, at the plan's local time (R10).
    3. An untouched future visit follows the plan (time, length, senior, areas).
    4. A visit the system cancelled (pause, plan change) comes back when wanted again.
    5. An untouched future visit the plan no longer wants is cancelled ("plan changed").
    Visits changed by hand (moved, cancelled, reassigned) and logged ones are left alone.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    last = horizon_end(today)
    plans_qs = VisitPlan.objects.for_organization(organization_id).filter(ended_at__isnull=True)
    if plan_ids is not None:
        plans_qs = plans_qs.filter(pk__in=list(plan_ids))
    else:
        plans_qs = plans_qs.filter(first_date__lte=last).filter(
            Q(last_date__isnull=True) | Q(last_date__gte=today)
        )
    if connection.features.has_select_for_update_of:
        plans_qs = plans_qs.select_for_update(of=("self",))
    plans = [
        p for p in plans_qs.select_related("recipient", "senior").order_by("pk") if _plan_runs(p)
    ]
    result = ExpandResult()
    if not plans:
        return result
    areas: dict[int | None, set[int]] = defaultdict(set)
    plan_id: int | None
    for plan_id, area_id in PlanServiceArea.objects.filter(plan__in=plans).values_list(
        "plan_id", "service_area_id"
    ):
        areas[plan_id].add(area_id)
    existing = {
        (v.plan_id, v.original_date): v
        for v in Visit.objects.filter(
            plan__in=plans, original_date__gte=today, original_date__lte=last
        )
    }
    # Per plan, so that finding a plan's visits does not scan every plan's (was quadratic).
    existing_by_plan: dict[int | None, list[tuple[date | None, Visit]]] = defaultdict(list)
    visit: Visit | None
    for (plan_id, day), visit in existing.items():
        existing_by_plan[plan_id].append((day, visit))
    visit_areas: dict[int, set[int]] = defaultdict(set)
    for visit_id, area_id in VisitServiceArea.objects.filter(
        visit__in=[v.pk for v in existing.values()]
    ).values_list("visit_id", "service_area_id"):
        visit_areas[visit_id].add(area_id)

    new: list[tuple[Visit, set[int]]] = []
    changed: list[Visit] = []
    cancelled: list[Visit] = []
    reset_areas: list[Visit] = []
    for plan in plans:
        wanted = {
            d: local_datetime(d, plan.start_time)
            for d in plan_dates(
                weekdays=plan.weekday_list,
                every_n_weeks=plan.every_n_weeks,
                first_date=plan.first_date,
                last_date=plan.last_date,
                start=today,
                end=last,
            )
        }
        for day, starts_at in wanted.items():
            if starts_at <= now:
                continue
            visit = existing.get((plan.pk, day))
            if visit is None:
                new.append((_new_visit(plan, day, starts_at), areas[plan.pk]))
                continue
            revive = (
                visit.status == VisitStatus.CANCELLED
                and not visit.detached
                and visit.cancel_kind in REVIVABLE_KINDS
            )
            if not (revive or _is_untouched_future(visit, now)):
                continue
            if _align(visit, plan, starts_at, now) or revive:
                changed.append(visit)
                if revive:
                    result.restored += 1
                else:
                    result.updated += 1
            if visit_areas[visit.pk] != areas[plan.pk]:
                reset_areas.append(visit)
        for day, visit in existing_by_plan[plan.pk]:
            if day not in wanted and _is_untouched_future(visit, now):
                cancelled.append(visit)
    _system_cancel(cancelled, CancelKind.PLAN_CHANGED, now)
    result.cancelled = len(cancelled)
    if changed or cancelled:
        Visit.objects.bulk_update(
            changed + cancelled,
            ["starts_at", "original_starts_at", "duration_minutes", "senior", *CANCEL_FIELDS],
        )
    if reset_areas:
        VisitServiceArea.objects.filter(visit__in=reset_areas).delete()
    created = Visit.objects.bulk_create([v for v, _plan_areas in new])
    result.created = len(created)
    VisitServiceArea.objects.bulk_create(
        [
            VisitServiceArea(organization_id=organization_id, visit=v, service_area_id=a)
            for v, plan_areas in new
            for a in sorted(plan_areas)
        ]
        + [
            VisitServiceArea(organization_id=organization_id, visit=v, service_area_id=a)
            for v in reset_areas
            for a in sorted(areas[v.plan_id])
        ]
    )
    return result


def _new_visit(plan: VisitPlan, day: date, starts_at: datetime) -> Visit:
    return Visit(
        organization_id=plan.organization_id,
        plan=plan,
        recipient_id=plan.recipient_id,
        senior_id=plan.senior_id,
        starts_at=starts_at,
        original_starts_at=starts_at,
        original_date=day,
        duration_minutes=plan.duration_minutes,
    )


def _align(visit: Visit, plan: VisitPlan, starts_at: datetime, now: datetime) -> bool:
    """Make an untouched (or revived) visit match its plan; True if anything changed."""
    target = {
        "starts_at": starts_at,
        "original_starts_at": starts_at,
        "duration_minutes": plan.duration_minutes,
        "senior_id": plan.senior_id,
        "status": VisitStatus.PLANNED,
        "cancel_kind": "",
        "cancel_reason": "",
        "cancelled_by_id": None,
        "cancelled_at": None,
    }
    differs = False
    for name, value in target.items():
        if getattr(visit, name) != value:
            setattr(visit, name, value)
            differs = True
    if differs:
        visit.updated_at = now
    return differs


_DAY_WORDS = {
    "mandag": 0,
    "tirsdag": 1,
    "onsdag": 2,
    "torsdag": 3,
    "fredag": 4,
    "lørdag": 5,
    "søndag": 6,
}
_EVERY = [
    (re.compile(r"annenhver|annen hver|hver andre|hver 2\.?\s*uke|hver annen"), 2),
    (re.compile(r"hver tredje|hver 3\.?\s*uke"), 3),
    (
        re.compile(
            r"hver fjerde|hver 4\.?\s*uke|(?:en|én|1) gang(?:er)? i måneden|"
            r"(?:en|én|1) gang i mnd|månedlig|hver måned"
        ),
        4,
    ),
]
_COUNT_WORDS = {"en": 1, "én": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "sju": 7}
# "to ganger i uka", "2 ganger i uken", "tre ganger per uke", "3 g/uke", "to dager i uka"
_PER_WEEK = re.compile(
    r"\b(\d|en|én|to|tre|fire|fem|seks|sju)\s*(?:ganger|gang|g|dager|dag)\s*"
    r"(?:i|per|pr\.?|/|hver)?\s*(?:uka|uken|uke|veka|veke)\b"
)
_COUNT_TEXT = {
    1: gettext_lazy("én dag"),
    2: gettext_lazy("to dager"),
    3: gettext_lazy("tre dager"),
    4: gettext_lazy("fire dager"),
    5: gettext_lazy("fem dager"),
    6: gettext_lazy("seks dager"),
    7: gettext_lazy("sju dager"),
}


def frequency_hint(text: str) -> dict[str, Any]:
    """What a free-text answer to question 9 says a plan should be, where it can be read:
    `weekdays` named ("Annenhver torsdag" → [3]), `every_n_weeks` ("annenhver" → 2,
    "en gang i måneden" → 4), and `per_week`, how many weekdays to choose ("to ganger i
    uka" → 2; None when the text does not say). `read` is False when nothing was read
    (then the form only shows the text)."""
    lowered = " ".join(text.lower().split())
    weekdays = sorted({n for word, n in _DAY_WORDS.items() if word in lowered})
    every = next((n for pattern, n in _EVERY if pattern.search(lowered)), 1)
    per_week = None
    if (found := _PER_WEEK.search(lowered)) is not None:
        word = found.group(1)
        per_week = int(word) if word.isdigit() else _COUNT_WORDS[word]
        per_week = per_week if 1 <= per_week <= 7 else None
    elif re.search(r"hver uke|hver veke|ukentlig|(?:en|én|1) gang i (?:uka|uken|uke)", lowered):
        per_week = 1
    elif every > 1:
        per_week = max(len(weekdays), 1)
    read = bool(weekdays or every > 1 or per_week)
    return {"weekdays": weekdays, "every_n_weeks": every, "per_week": per_week, "read": read}


def frequency_suggestion(text: str) -> str:
    """The hint as the plan form says it: "Ønsket: to ganger i uka – velg to dager"."""
    hint = frequency_hint(text)
    if not hint["read"]:
        return ""
    count = hint["per_week"] or len(hint["weekdays"]) or 1
    if hint["weekdays"] and len(hint["weekdays"]) >= count:
        choose = _("ukedagene er krysset av")
    else:
        choose = _("velg %(days)s") % {"days": _COUNT_TEXT[count]}
    return _("Ønsket: «%(text)s» – %(choose)s") % {"text": text.strip(), "choose": choose}
