"""Clashes between visits and Bli kjent meetings (same senior, same recipient), absences,
stated availability and public holidays; also for the visits a plan would make."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, cast

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from visits.civil_time import (
    OSLO,
    date_span,
    horizon_end,
    local_datetime,
    plan_dates,
    public_holidays,
)
from visits.models import (
    OCCUPYING_STATUSES,
    SeniorAbsence,
    SeniorAvailability,
    Visit,
    VisitPlan,
    VisitStatus,
)
from visits.planning import (
    MAX_DURATION,
    REVIVABLE_KINDS,
    STOPPED_RECIPIENT_STATUSES,
    PlanFields,
)

if TYPE_CHECKING:
    from customers.models import CareRecipient
    from omsorg.models import IntakeInterview


@dataclass(frozen=True)
class Conflict:
    """Something the leader should look at; never resolved silently."""

    kind: str  # "double_booked" | "meeting" | "recipient_double_booked" |
    # "outside_availability" | "absent" | "holiday"
    text: str


MAX_CLASHES_LISTED = 2  # more clashes than this with one visit are summed up in one line


def _hhmm(when: datetime | time) -> str:
    if isinstance(when, datetime):
        when = timezone.localtime(when, OSLO).time()
    return when.strftime("%H.%M")


def visits_clashing(*, senior_id: int, starts_at: datetime, ends_at: datetime) -> list[str]:
    """The senior's visits (planned, moved or logged) that overlap `starts_at`–`ends_at`, one
    line each, and their absence that day: registered with `omsorg.hooks` for the Bli kjent
    meeting's clash check."""
    rows = Visit.objects.filter(
        senior_id=senior_id,
        status__in=OCCUPYING_STATUSES,
        starts_at__lt=ends_at,
        starts_at__gte=starts_at - timedelta(minutes=MAX_DURATION),
    ).order_by("starts_at", "pk")
    lines = [
        _("Senioren har et besøk %(from)s–%(to)s")
        % {"from": _hhmm(v.starts_at), "to": _hhmm(v.ends_at)}
        for v in rows
        if v.ends_at > starts_at
    ]
    day = timezone.localtime(starts_at, OSLO).date()
    absence = SeniorAbsence.objects.filter(
        membership_id=senior_id, starts_on__lte=day, ends_on__gte=day
    ).first()
    if absence is not None:
        lines.append(
            _("Senioren er borte %(span)s")
            % {"span": date_span(absence.starts_on, absence.ends_on)}
        )
    return lines


@dataclass(frozen=True)
class Slot:
    """A stretch of a senior's time at a recipient, to check for clashes: a visit, a Bli kjent
    meeting, a visit a plan would make, or a visit as if another senior held it.

    `visit_id`/`meeting_id`: what the slot is (or stands in for), never a clash with itself.
    """

    key: Hashable
    senior_id: int
    recipient_id: int
    starts_at: datetime
    ends_at: datetime
    visit_id: int | None = None
    meeting_id: int | None = None


def _overlaps(start: datetime, end: datetime, slot: Slot) -> bool:
    return start < slot.ends_at and slot.starts_at < end


def _meetings_near(
    organization_id: int,
    senior_ids: set[int],
    recipient_ids: set[int],
    span_start: datetime,
    span_end: datetime,
) -> list[tuple[int, int, int, datetime, datetime]]:
    """Booked Bli kjent meetings of the seniors or the recipients in the span (one query)."""
    from omsorg.models import IntakeInterview, InterviewStatus

    rows = (
        IntakeInterview.objects.for_organization(organization_id)
        .filter(
            Q(senior_id__in=senior_ids) | Q(recipient_id__in=recipient_ids),
            status=InterviewStatus.BOOKED,
            starts_at__lt=span_end,
            starts_at__gte=span_start - timedelta(minutes=MAX_DURATION),
        )
        .order_by()
        .values_list("pk", "senior_id", "recipient_id", "starts_at", "duration_minutes")
    )
    return [
        (pk, senior_id, recipient_id, starts_at, starts_at + timedelta(minutes=minutes))
        for pk, senior_id, recipient_id, starts_at, minutes in rows
    ]


def slot_conflicts(
    slots: Sequence[Slot], *, organization_id: int, ignore_plan_id: int | None = None
) -> dict[Hashable, list[Conflict]]:
    """Conflicts of each slot, by its key, in four queries whatever the number of slots.
    The slots' seniors and recipients are of `organization_id`: a membership and a recipient
    belong to one organization, and saying it lets PostgreSQL use the indexes that begin with
    it (organization, senior/recipient, start) rather than AND two larger bitmaps.

    A senior with another visit or a booked Bli kjent meeting at the time (in any
    department), a recipient with another senior's visit or meeting at the time, a slot
    outside the senior's stated availability (when they have stated any), on a day the
    senior is away (`SeniorAbsence`), on a public holiday. `ignore_plan_id`: the untouched
    visits of that plan do not count (they follow the plan being changed).
    """
    result: dict[Hashable, list[Conflict]] = {}
    if not slots:
        return result
    senior_ids = {s.senior_id for s in slots}
    recipient_ids = {s.recipient_id for s in slots}
    span_start = min(s.starts_at for s in slots)
    span_end = max(s.ends_at for s in slots)
    visits = (
        Visit.objects.for_organization(organization_id)
        .filter(
            Q(senior_id__in=senior_ids) | Q(recipient_id__in=recipient_ids),
            status__in=OCCUPYING_STATUSES,
            starts_at__lt=span_end,
            starts_at__gte=span_start - timedelta(minutes=MAX_DURATION),
        )
        .order_by()  # grouped by senior and recipient below: PostgreSQL need not sort
    )
    if ignore_plan_id is not None:
        visits = visits.exclude(plan_id=ignore_plan_id, detached=False)
    by_senior: dict[int, list[tuple[int, datetime, datetime]]] = defaultdict(list)
    by_recipient: dict[int, list[tuple[int, int, datetime, datetime]]] = defaultdict(list)
    for pk, senior_id, recipient_id, starts_at, minutes in visits.values_list(
        "pk", "senior_id", "recipient_id", "starts_at", "duration_minutes"
    ):
        ends_at = starts_at + timedelta(minutes=minutes)
        by_senior[senior_id].append((pk, starts_at, ends_at))
        by_recipient[recipient_id].append((pk, senior_id, starts_at, ends_at))
    meetings_by_senior: dict[int, list[tuple[int, datetime, datetime]]] = defaultdict(list)
    meetings_by_recipient: dict[int, list[tuple[int, int, datetime, datetime]]] = defaultdict(list)
    for pk, senior_id, recipient_id, starts_at, ends_at in _meetings_near(
        organization_id, senior_ids, recipient_ids, span_start, span_end
    ):
        meetings_by_senior[senior_id].append((pk, starts_at, ends_at))
        meetings_by_recipient[recipient_id].append((pk, senior_id, starts_at, ends_at))
    windows: dict[int, list[SeniorAvailability]] = defaultdict(list)
    for window in SeniorAvailability.objects.filter(membership_id__in=senior_ids):
        windows[window.membership_id].append(window)
    first_day = timezone.localtime(span_start, OSLO).date()
    last_day = timezone.localtime(span_end, OSLO).date()
    away: dict[int, list[SeniorAbsence]] = defaultdict(list)
    for absence in SeniorAbsence.objects.filter(
        membership_id__in=senior_ids, starts_on__lte=last_day, ends_on__gte=first_day
    ):
        away[absence.membership_id].append(absence)
    days = public_holidays(first_day, last_day)
    for slot in slots:
        found: list[Conflict] = []
        clashes = [
            (start, end)
            for pk, start, end in by_senior[slot.senior_id]
            if pk != slot.visit_id and _overlaps(start, end, slot)
        ]
        if len(clashes) > MAX_CLASHES_LISTED:
            # One line for a pile-up, so that a badly booked week stays readable.
            found.append(
                Conflict(
                    "double_booked",
                    _("Senioren har %(n)s andre besøk samtidig, %(from)s–%(to)s")
                    % {
                        "n": len(clashes),
                        "from": _hhmm(min(start for start, _end in clashes)),
                        "to": _hhmm(max(end for _start, end in clashes)),
                    },
                )
            )
        else:
            found.extend(
                Conflict(
                    "double_booked",
                    _("Senioren har et annet besøk %(from)s–%(to)s")
                    % {"from": _hhmm(start), "to": _hhmm(end)},
                )
                for start, end in clashes
            )
        found.extend(
            Conflict(
                "meeting",
                _("Senioren har et Bli kjent-møte %(from)s–%(to)s")
                % {"from": _hhmm(start), "to": _hhmm(end)},
            )
            for pk, start, end in meetings_by_senior[slot.senior_id]
            if pk != slot.meeting_id and _overlaps(start, end, slot)
        )
        # The recipient's other seniors at the same time (the same senior is counted above).
        found.extend(
            Conflict(
                "recipient_double_booked",
                _("Brukeren har et annet besøk %(from)s–%(to)s")
                % {"from": _hhmm(start), "to": _hhmm(end)},
            )
            for pk, senior_id, start, end in by_recipient[slot.recipient_id]
            if pk != slot.visit_id and senior_id != slot.senior_id and _overlaps(start, end, slot)
        )
        found.extend(
            Conflict(
                "recipient_double_booked",
                _("Brukeren har et Bli kjent-møte %(from)s–%(to)s")
                % {"from": _hhmm(start), "to": _hhmm(end)},
            )
            for pk, senior_id, start, end in meetings_by_recipient[slot.recipient_id]
            if pk != slot.meeting_id and senior_id != slot.senior_id and _overlaps(start, end, slot)
        )
        own = windows.get(slot.senior_id)
        if own:
            local_start = timezone.localtime(slot.starts_at, OSLO)
            local_end = timezone.localtime(slot.ends_at, OSLO)
            same_day = local_end.date() == local_start.date() or local_end.time() == time(0)
            end_time = time(23, 59, 59) if local_end.time() == time(0) else local_end.time()
            if not same_day or not any(
                w.covers(local_start.weekday(), local_start.time(), end_time) for w in own
            ):
                found.append(Conflict("outside_availability", _("Utenfor seniorens oppgitte tid")))
        local_day = timezone.localtime(slot.starts_at, OSLO).date()
        for absence in away.get(slot.senior_id, []):
            if absence.covers(local_day):
                found.append(
                    Conflict(
                        "absent",
                        _("Senioren er borte %(span)s")
                        % {"span": date_span(absence.starts_on, absence.ends_on)},
                    )
                )
                break
        holiday = days.get(local_day)
        if holiday:
            found.append(Conflict("holiday", _("Helligdag: %(name)s") % {"name": holiday}))
        if found:
            result[slot.key] = found
    return result


def visit_slot(visit: Visit, *, key: Hashable = None, senior_id: int | None = None) -> Slot:
    """The visit as a slot; with `senior_id`, as if that senior held it."""
    return Slot(
        key=visit.pk if key is None else key,
        senior_id=visit.senior_id if senior_id is None else senior_id,
        recipient_id=visit.recipient_id,
        starts_at=visit.starts_at,
        ends_at=visit.ends_at,
        visit_id=visit.pk,
    )


def meeting_slot(meeting: IntakeInterview) -> Slot:
    return Slot(
        key=("meeting", meeting.pk),
        senior_id=meeting.senior_id,
        recipient_id=meeting.recipient_id,
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at + timedelta(minutes=meeting.duration_minutes),
        meeting_id=meeting.pk,
    )


def visit_conflicts(visits: Sequence[Visit]) -> dict[int, list[Conflict]]:
    """Conflicts of each visit, by visit id (see `slot_conflicts`), in a constant number of
    queries whatever the number of visits. Cancelled and not-happened visits have none."""
    live = [visit_slot(v) for v in visits if v.status in OCCUPYING_STATUSES]
    if not live:
        return {}
    found = slot_conflicts(live, organization_id=visits[0].organization_id)
    return cast(dict[int, list[Conflict]], found)


def conflicts_if_held_by(visit: Visit, senior_ids: Iterable[int]) -> dict[int, list[Conflict]]:
    """The visit's conflicts as if each of the seniors held it, by senior id (four queries)."""
    slots = [visit_slot(visit, key=s, senior_id=s) for s in senior_ids]
    found = slot_conflicts(slots, organization_id=visit.organization_id)
    return cast(dict[int, list[Conflict]], found)


def with_conflicts(visits: Iterable[Visit]) -> list[Visit]:
    """The visits as a list, each with `.conflicts` filled in (three queries)."""
    visits = list(visits)
    conflicts = visit_conflicts(visits)
    for visit in visits:
        visit.conflicts = conflicts.get(visit.pk, [])
    return visits


@dataclass(frozen=True)
class PlanClash:
    """A visit a plan would make, with what it clashes with."""

    starts_at: datetime
    ends_at: datetime
    conflicts: list[Conflict]


def plan_clashes(
    *,
    recipient: CareRecipient,
    fields: PlanFields,
    plan: VisitPlan | None = None,
    now: datetime | None = None,
) -> list[PlanClash]:
    """The visits `fields` would make for the horizon that clash with something, without
    writing anything (for the leader to see before the plan is saved), in five queries
    whatever the number of dates. With `plan` (an edit), the plan's own untouched visits do
    not count, and dates whose visit was changed by hand (which the plan leaves alone) are
    skipped."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if recipient.status in STOPPED_RECIPIENT_STATUSES:
        return []  # a paused or ended recipient's plan makes no visits now
    days = plan_dates(
        weekdays=fields.weekdays,
        every_n_weeks=fields.every_n_weeks,
        first_date=fields.first_date,
        last_date=fields.last_date,
        start=today,
        end=horizon_end(today),
    )
    if plan is not None and days:
        kept = set(
            Visit.objects.filter(plan=plan, original_date__in=days)
            .exclude(status=VisitStatus.PLANNED, detached=False)
            .exclude(status=VisitStatus.CANCELLED, cancel_kind__in=REVIVABLE_KINDS)
            .values_list("original_date", flat=True)
        )
        days = [d for d in days if d not in kept]
    slots = []
    for day in days:
        starts_at = local_datetime(day, fields.start_time)
        if starts_at > now:
            slots.append(
                Slot(
                    key=day,
                    senior_id=fields.senior.pk,
                    recipient_id=recipient.pk,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=fields.duration_minutes),
                )
            )
    found = slot_conflicts(
        slots,
        organization_id=recipient.organization_id,
        ignore_plan_id=plan.pk if plan is not None else None,
    )
    return [PlanClash(s.starts_at, s.ends_at, found[s.key]) for s in slots if s.key in found]


def clash_fingerprint(clashes: Sequence[PlanClash]) -> str:
    """A short digest of the clashes shown: a confirmation counts only for what was seen."""
    text = "|".join(
        f"{c.starts_at.isoformat()}={';'.join(x.text for x in c.conflicts)}" for c in clashes
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]
