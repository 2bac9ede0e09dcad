"""Clashes between visits (same senior, same recipient) and visits on public holidays."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from visits.civil_time import OSLO, date_span, public_holidays
from visits.models import (
    OCCUPYING_STATUSES,
    SeniorAbsence,
    SeniorAvailability,
    Visit,
)
from visits.planning import MAX_DURATION


@dataclass(frozen=True)
class Conflict:
    """Something the leader should look at; never resolved silently."""

    kind: str  # "double_booked" | "meeting" | "outside_availability" | "absent" | "holiday"
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


def _meetings_by_senior(
    senior_ids: set[int], span_start: datetime, span_end: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """The seniors' booked Bli kjent meetings in the span (one query)."""
    from omsorg.models import IntakeInterview, InterviewStatus

    found: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    rows = IntakeInterview.objects.filter(
        senior_id__in=senior_ids,
        status=InterviewStatus.BOOKED,
        starts_at__lt=span_end,
        starts_at__gte=span_start - timedelta(minutes=60),
    ).values_list("senior_id", "starts_at", "duration_minutes")
    for senior_id, starts_at, minutes in rows:
        found[senior_id].append((starts_at, starts_at + timedelta(minutes=minutes)))
    return found


def visit_conflicts(visits: Sequence[Visit]) -> dict[int, list[Conflict]]:
    """Conflicts of each visit, by visit id, in a constant number of queries whatever the
    number of visits.

    A senior with two visits at once (in any department) or with a booked Bli kjent
    meeting at the time, a visit outside the senior's stated availability (when they
    have stated any), a visit on a day the senior is away (`SeniorAbsence`), a public
    holiday. Cancelled and not-happened visits have none.
    """

    result: dict[int, list[Conflict]] = {}
    live = [v for v in visits if v.status in OCCUPYING_STATUSES]
    if not live:
        return result
    senior_ids = {v.senior_id for v in live}
    span_start = min(v.starts_at for v in live)
    span_end = max(v.ends_at for v in live)
    busy: dict[int, list[tuple[int, datetime, datetime]]] = defaultdict(list)
    rows = Visit.objects.filter(
        senior_id__in=senior_ids,
        status__in=OCCUPYING_STATUSES,
        starts_at__lt=span_end,
        starts_at__gte=span_start - timedelta(minutes=MAX_DURATION),
    ).values_list("pk", "senior_id", "starts_at", "duration_minutes")
    for pk, senior_id, starts_at, minutes in rows:
        busy[senior_id].append((pk, starts_at, starts_at + timedelta(minutes=minutes)))
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
    meetings = _meetings_by_senior(senior_ids, span_start, span_end)
    days = public_holidays(first_day, last_day)
    for visit in live:
        found: list[Conflict] = []
        clashes = [
            (start, end)
            for pk, start, end in busy[visit.senior_id]
            if pk != visit.pk and start < visit.ends_at and visit.starts_at < end
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
            for start, end in meetings.get(visit.senior_id, [])
            if start < visit.ends_at and visit.starts_at < end
        )
        own = windows.get(visit.senior_id)
        if own:
            local_start = timezone.localtime(visit.starts_at, OSLO)
            local_end = timezone.localtime(visit.ends_at, OSLO)
            same_day = local_end.date() == local_start.date() or local_end.time() == time(0)
            end_time = time(23, 59, 59) if local_end.time() == time(0) else local_end.time()
            if not same_day or not any(
                w.covers(local_start.weekday(), local_start.time(), end_time) for w in own
            ):
                found.append(Conflict("outside_availability", _("Utenfor seniorens oppgitte tid")))
        local_day = timezone.localtime(visit.starts_at, OSLO).date()
        for absence in away.get(visit.senior_id, []):
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
            result[visit.pk] = found
    return result


def with_conflicts(visits: Iterable[Visit]) -> list[Visit]:
    """The visits as a list, each with `.conflicts` filled in (three queries)."""
    visits = list(visits)
    conflicts = visit_conflicts(visits)
    for visit in visits:
        visit.conflicts = conflicts.get(visit.pk, [])
    return visits
