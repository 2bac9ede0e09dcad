"""Match hints: what the leader reads beside each senior's answer to a job.

One `Hint` per aspect (availability, clashes, load, distance, service areas, knows the
recipient), each a short Norwegian sentence and whether it speaks for or against the
senior. Computed for all the answering seniors of a job at once, in a constant number of
queries (eleven, whatever the number of seniors).

- Availability: the senior's stated weekdays and hours (`visits.SeniorAvailability`)
  against the job's weekdays, start time and duration. No stated hours: neutral.
- Clashes: the job's times over the next `CLASH_WEEKS` weeks (from the job's first date or
  today, whichever is later, in Oslo civil time) against the senior's visits, Bli kjent
  meetings and absences, through `visits.conflicts.slot_conflicts`.
- Load: the senior's planned visits a week now (the next four weeks, averaged) and the
  job's visits a week, against the visits a week they asked for (`JobInterest`).
- Distance: great-circle km between the senior's and the job's postal codes
  (`openings.postal`, a kept table). Unknown or missing code: neutral.
- Service areas: what the senior likes against what the job is about.
- Knows the recipient: visits done with them (or planned), or a Bli kjent meeting. Only
  said when it is so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from django.db.models import Count, Max, Q
from django.utils import formats, timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from omsorg.models import IntakeInterview, InterviewStatus
from openings import postal
from openings.models import JobInterest, JobInterestArea, JobOpening, JobOpeningArea
from seniorene.accounts.models import Membership
from visits.civil_time import OSLO, local_datetime, plan_dates
from visits.conflicts import Slot, slot_conflicts
from visits.models import (
    ACTIVE_STATUSES,
    WEEKDAYS,
    SeniorAvailability,
    Visit,
    VisitStatus,
    mask_to_weekdays,
)

CLASH_WEEKS = 4
LOAD_WEEKS = 4
# Clashes that concern the senior (a holiday or the recipient's other visits do not).
SENIOR_CLASH_KINDS = frozenset({"double_booked", "meeting", "absent"})
NEAR_KM = 5.0  # at most this far: speaks for the senior
FAR_KM = 15.0  # further than this: speaks against


class HintKind(StrEnum):
    AVAILABILITY = "availability"
    CLASH = "clash"
    LOAD = "load"
    DISTANCE = "distance"
    AREAS = "areas"
    KNOWS = "knows"


class Leaning(StrEnum):
    GOOD = "good"  # speaks for the senior
    NEUTRAL = "neutral"  # worth knowing
    POOR = "poor"  # speaks against


@dataclass(frozen=True)
class Hint:
    kind: HintKind
    leaning: Leaning
    text: str  # one short Norwegian sentence, e.g. "Ledig tirsdager 10–14", "3,2 km unna"


def _hhmm(value: time) -> str:
    return value.strftime("%H.%M")


def _day_name(weekday: int) -> str:
    return str(dict(WEEKDAYS)[weekday])


def _number(value: float) -> str:
    """1 → "1", 1.5 → "1,5" (in the active language's format)."""
    rounded = round(value, 1)
    if rounded == int(rounded):
        return str(int(rounded))
    return formats.number_format(rounded, decimal_pos=1)


def job_visits_per_week(opening: JobOpening) -> float:
    return len(mask_to_weekdays(opening.weekdays)) / max(1, opening.every_n_weeks)


def job_dates(opening: JobOpening, *, today: date, weeks: int = CLASH_WEEKS) -> list[date]:
    """The job's local dates in the next `weeks` weeks (from its first date or today)."""
    start = max(opening.first_date, today)
    return plan_dates(
        weekdays=mask_to_weekdays(opening.weekdays),
        every_n_weeks=opening.every_n_weeks,
        first_date=opening.first_date,
        last_date=None,
        start=start,
        end=start + timedelta(days=7 * weeks - 1),
    )


# --- Each aspect --------------------------------------------------------------------------


def _availability_hint(opening: JobOpening, windows: list[SeniorAvailability]) -> Hint:
    if not windows:
        return Hint(HintKind.AVAILABILITY, Leaning.NEUTRAL, _("Har ikke oppgitt når de kan besøke"))
    start = opening.start_time
    end_at = datetime.combine(date(2000, 1, 3), start) + timedelta(minutes=opening.duration_minutes)
    same_day = end_at.date() == date(2000, 1, 3)
    end = end_at.time()
    days = mask_to_weekdays(opening.weekdays)
    fits = [d for d in days if same_day and any(w.covers(d, start, end) for w in windows)]
    stated = get_text_list(
        [f"{_day_name(w.weekday)} {_hhmm(w.start_time)}–{_hhmm(w.end_time)}" for w in windows],
        _("og"),
    )
    if len(fits) == len(days):
        return Hint(
            HintKind.AVAILABILITY,
            Leaning.GOOD,
            _("Passer med tiden de har oppgitt (%(stated)s)") % {"stated": stated},
        )
    if fits:
        return Hint(
            HintKind.AVAILABILITY,
            Leaning.NEUTRAL,
            _("Passer bare %(fits)s, ikke %(not)s (oppgitt: %(stated)s)")
            % {
                "fits": get_text_list([_day_name(d) for d in fits], _("og")),
                "not": get_text_list([_day_name(d) for d in days if d not in fits], _("og")),
                "stated": stated,
            },
        )
    return Hint(
        HintKind.AVAILABILITY,
        Leaning.POOR,
        _("Utenfor tiden de har oppgitt (%(stated)s)") % {"stated": stated},
    )


def _clash_hint(days: list[date], clashes: dict[date, list[str]]) -> Hint:
    weeks = CLASH_WEEKS
    if not clashes:
        return Hint(
            HintKind.CLASH,
            Leaning.GOOD,
            ngettext(
                "Ingen kollisjoner de neste %(weeks)s ukene (%(n)s gang)",
                "Ingen kollisjoner de neste %(weeks)s ukene (%(n)s ganger)",
                len(days),
            )
            % {"weeks": weeks, "n": len(days)},
        )
    first = min(clashes)
    return Hint(
        HintKind.CLASH,
        Leaning.POOR,
        _("Kolliderer %(n)s av %(total)s ganger de neste %(weeks)s ukene – %(day)s: %(what)s")
        % {
            "n": len(clashes),
            "total": len(days),
            "weeks": weeks,
            "day": formats.date_format(first, "l j. F"),
            "what": clashes[first][0],
        },
    )


def _load_hint(interest: JobInterest | None, planned_visits: int, job_per_week: float) -> Hint:
    now_per_week = planned_visits / LOAD_WEEKS
    if interest is None:
        return Hint(
            HintKind.LOAD,
            Leaning.NEUTRAL,
            _("Har %(now)s besøk i uka nå; har ikke sagt hvor mange de ønsker")
            % {"now": _number(now_per_week)},
        )
    wanted = interest.visits_per_week
    values = {"now": _number(now_per_week), "wanted": wanted}
    if now_per_week + job_per_week <= wanted + 0.01:
        return Hint(
            HintKind.LOAD, Leaning.GOOD, _("Har %(now)s besøk i uka nå, ønsker %(wanted)s") % values
        )
    if now_per_week >= wanted - 0.01:
        return Hint(
            HintKind.LOAD,
            Leaning.POOR,
            _("Har %(now)s besøk i uka nå, ønsker %(wanted)s – har alt nok") % values,
        )
    return Hint(
        HintKind.LOAD,
        Leaning.NEUTRAL,
        _("Har %(now)s besøk i uka nå, ønsker %(wanted)s – jobben gir %(job)s til")
        % {**values, "job": _number(job_per_week)},
    )


def _distance_hint(senior_code: str, job_code: str) -> Hint:
    if not senior_code.strip():
        return Hint(
            HintKind.DISTANCE,
            Leaning.NEUTRAL,
            _("Avstand ukjent: senioren har ikke oppgitt postnummer"),
        )
    if not job_code.strip():
        return Hint(
            HintKind.DISTANCE, Leaning.NEUTRAL, _("Avstand ukjent: jobben har ikke postnummer")
        )
    home, job = postal.lookup(senior_code), postal.lookup(job_code)
    if home is None or job is None:
        unknown = senior_code if home is None else job_code
        return Hint(
            HintKind.DISTANCE,
            Leaning.NEUTRAL,
            _("Avstand ukjent: kjenner ikke postnummer %(code)s") % {"code": unknown.strip()},
        )
    if home.code == job.code:
        return Hint(
            HintKind.DISTANCE,
            Leaning.GOOD,
            _("Samme postnummer (%(code)s %(place)s)") % {"code": job.code, "place": job.place},
        )
    km = postal.great_circle_km(home.point, job.point)
    if km < 0.5:
        # GeoNames puts every code of a city at the city's point: same place, no distance.
        return Hint(
            HintKind.DISTANCE,
            Leaning.GOOD,
            _("Samme poststed (%(place)s)") % {"place": job.place},
        )
    leaning = Leaning.GOOD if km <= NEAR_KM else Leaning.NEUTRAL if km <= FAR_KM else Leaning.POOR
    return Hint(
        HintKind.DISTANCE,
        leaning,
        _("Ca. %(km)s km unna (bor i %(code)s %(place)s)")
        % {"km": max(1, round(km)), "code": home.code, "place": home.place},
    )


def _areas_hint(job_areas: dict[int, str], liked: set[int], has_interest: bool) -> Hint | None:
    if not job_areas:
        return None
    if not has_interest or not liked:
        return Hint(HintKind.AREAS, Leaning.NEUTRAL, _("Har ikke sagt hva de liker å gjøre"))
    shared = [name for pk, name in job_areas.items() if pk in liked]
    if not shared:
        return Hint(
            HintKind.AREAS,
            Leaning.POOR,
            _("Har ikke valgt noe av det jobben gjelder (%(areas)s)")
            % {"areas": get_text_list(list(job_areas.values()), _("og"))},
        )
    text = _("Liker %(areas)s") % {"areas": get_text_list(shared, _("og"))}
    if len(shared) < len(job_areas):
        text = _("%(text)s (%(n)s av %(total)s)") % {
            "text": text,
            "n": len(shared),
            "total": len(job_areas),
        }
    return Hint(HintKind.AREAS, Leaning.GOOD, text)


@dataclass
class _Known:
    visits_done: int = 0
    last_done: datetime | None = None
    visits_ahead: int = 0
    meeting_done: bool = False
    meeting_booked: datetime | None = None


def _knows_hint(known: _Known | None) -> Hint | None:
    if known is None:
        return None
    if known.visits_done and known.last_done is not None:
        return Hint(
            HintKind.KNOWS,
            Leaning.GOOD,
            ngettext(
                "Kjenner brukeren: %(n)s besøk, sist %(day)s",
                "Kjenner brukeren: %(n)s besøk, sist %(day)s",
                known.visits_done,
            )
            % {
                "n": known.visits_done,
                "day": formats.date_format(timezone.localtime(known.last_done, OSLO), "j. F Y"),
            },
        )
    if known.visits_ahead:
        return Hint(HintKind.KNOWS, Leaning.GOOD, _("Har alt besøk hos brukeren"))
    if known.meeting_done:
        return Hint(HintKind.KNOWS, Leaning.GOOD, _("Har hatt Bli kjent-møte med brukeren"))
    if known.meeting_booked is not None:
        return Hint(
            HintKind.KNOWS,
            Leaning.GOOD,
            _("Har Bli kjent-møte med brukeren %(day)s")
            % {"day": formats.date_format(timezone.localtime(known.meeting_booked, OSLO), "j. F")},
        )
    return None


# --- All seniors at once --------------------------------------------------------------------


def match_hints(
    *, opening: JobOpening, seniors: Sequence[Membership], now: datetime | None = None
) -> dict[int, list[Hint]]:
    """Hints for each senior (by membership id) about taking `opening`, in the order
    availability, clashes, load, distance, service areas, knows the recipient.

    Eleven queries whatever the number of seniors. `now`: the moment the hints are for
    (tests pass a fixed one)."""
    result: dict[int, list[Hint]] = {s.pk: [] for s in seniors}
    if not seniors:
        return result
    now = now or timezone.now()
    today = timezone.localtime(now, OSLO).date()
    ids = list(result)

    interests = {i.membership_id: i for i in JobInterest.objects.filter(membership_id__in=ids)}
    liked: dict[int, set[int]] = defaultdict(set)
    for membership_id, area_id in JobInterestArea.objects.filter(
        interest__membership_id__in=ids
    ).values_list("interest__membership_id", "service_area_id"):
        liked[membership_id].add(area_id)
    job_areas = dict(
        JobOpeningArea.objects.filter(opening=opening)
        .order_by("service_area__position", "service_area__name")
        .values_list("service_area_id", "service_area__name")
    )
    windows: dict[int, list[SeniorAvailability]] = defaultdict(list)
    for window in SeniorAvailability.objects.filter(membership_id__in=ids).order_by(
        "weekday", "start_time"
    ):
        windows[window.membership_id].append(window)

    # Clashes: every senior at every time of the job in the next weeks (four queries).
    days = [
        d for d in job_dates(opening, today=today) if local_datetime(d, opening.start_time) > now
    ]
    slots = []
    for senior_id in ids:
        for day in days:
            starts_at = local_datetime(day, opening.start_time)
            slots.append(
                Slot(
                    key=(senior_id, day),
                    senior_id=senior_id,
                    recipient_id=opening.recipient_id,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=opening.duration_minutes),
                )
            )
    clashes: dict[int, dict[date, list[str]]] = defaultdict(dict)
    for key, found in slot_conflicts(slots, organization_id=opening.organization_id).items():
        senior_id, day = key  # type: ignore[misc]
        texts = [c.text for c in found if c.kind in SENIOR_CLASH_KINDS]
        if texts:
            clashes[senior_id][day] = texts

    # Load: planned visits in the next weeks.
    planned = dict(
        Visit.objects.filter(
            senior_id__in=ids,
            status__in=ACTIVE_STATUSES,
            starts_at__gte=now,
            starts_at__lt=now + timedelta(weeks=LOAD_WEEKS),
        )
        .values("senior_id")
        .annotate(n=Count("pk"))
        .values_list("senior_id", "n")
    )

    # Knows the recipient: visits with them and Bli kjent meetings.
    known: dict[int, _Known] = {}
    for senior_id, done, last_done, ahead in (
        Visit.objects.filter(senior_id__in=ids, recipient_id=opening.recipient_id)
        .values("senior_id")
        .annotate(
            done=Count("pk", filter=Q(status=VisitStatus.LOGGED)),
            last_done=Max("starts_at", filter=Q(status=VisitStatus.LOGGED)),
            ahead=Count("pk", filter=Q(status__in=ACTIVE_STATUSES, starts_at__gte=now)),
        )
        .values_list("senior_id", "done", "last_done", "ahead")
    ):
        if done or ahead:
            known[senior_id] = _Known(visits_done=done, last_done=last_done, visits_ahead=ahead)
    for senior_id, status, starts_at in IntakeInterview.objects.filter(
        senior_id__in=ids,
        recipient_id=opening.recipient_id,
        status__in=(InterviewStatus.COMPLETED, InterviewStatus.BOOKED),
    ).values_list("senior_id", "status", "starts_at"):
        entry = known.setdefault(senior_id, _Known())
        if status == InterviewStatus.COMPLETED:
            entry.meeting_done = True
        elif entry.meeting_booked is None or starts_at < entry.meeting_booked:
            entry.meeting_booked = starts_at

    job_per_week = job_visits_per_week(opening)
    for senior_id in ids:
        interest = interests.get(senior_id)
        hints: list[Hint | None] = [
            _availability_hint(opening, windows.get(senior_id, [])),
            _clash_hint(days, clashes.get(senior_id, {})) if days else None,
            _load_hint(interest, planned.get(senior_id, 0), job_per_week),
            _distance_hint(interest.postal_code if interest else "", opening.postal_code),
            _areas_hint(job_areas, liked.get(senior_id, set()), interest is not None),
            _knows_hint(known.get(senior_id)),
        ]
        result[senior_id] = [h for h in hints if h is not None]
    return result
