"""What the senior's *Ledige jobber* pages read: their opt-in, the jobs offered to them (by
`openings.eligibility`'s rule), their answers, and the jobs that are no longer open.

Nothing here reads the recipient: a job is shown by area, postal code, kind, days, time,
frequency, from-date, service areas and description only (data minimisation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from omsorg.models import ServiceArea
from openings.eligibility import interested_seniors
from openings.models import (
    AnswerChoice,
    InterestStatus,
    JobAnswer,
    JobInterest,
    JobOpening,
    OpeningKind,
    OpeningStatus,
)
from seniorene.accounts.models import Membership, Role
from training.services import Clearance, training_clearance
from visits.agenda_lines import AgendaLine
from visits.models import WEEKDAYS, mask_to_weekdays

# A job that was filled or withdrawn stays on the senior's page this long.
RECENT_DAYS = 30


class State:
    """Where the senior stands with Omsorg jobs, as the page words it."""

    NONE = "none"  # never opted in
    ACTIVE = "active"
    PAUSED = "paused"  # a pause that has not ended yet
    WITHDRAWN = "withdrawn"


def interest_state(interest: JobInterest | None, *, on: date) -> str:
    """The senior's state on `on`: a pause whose last day has passed is active again."""
    if interest is None:
        return State.NONE
    if interest.status == InterestStatus.WITHDRAWN:
        return State.WITHDRAWN
    if interest.status == InterestStatus.PAUSED and (
        interest.paused_until is None or interest.paused_until >= on
    ):
        return State.PAUSED
    return State.ACTIVE


def job_interest_of(membership: Membership) -> JobInterest | None:
    return JobInterest.objects.filter(membership=membership).first()


def offered_department_ids(
    *, membership: Membership, on: date, clearance: Clearance | None = None
) -> list[int]:
    """The departments whose open jobs `membership` is offered on `on` (the eligibility
    rule, once per department rather than once per job)."""
    if membership.role != Role.SENIOR or not membership.is_active:
        return []
    ids = [
        department_id
        for department_id in sorted(membership.department_ids)
        if interested_seniors(department_id=department_id, on=on)
        .filter(pk=membership.pk, organization_id=membership.organization_id)
        .exists()
    ]
    if not ids:
        return []
    clearance = clearance or training_clearance(membership=membership)
    return ids if clearance.cleared else []


def _with_areas(openings: Q) -> list[JobOpening]:
    areas = ServiceArea.objects.order_by("position", "name")
    return list(
        JobOpening.objects.filter(openings)
        .prefetch_related(Prefetch("service_areas", queryset=areas))
        .order_by("first_date", "start_time", "pk")
    )


@dataclass(frozen=True)
class JobCard:
    """One job as the senior sees it (never the recipient)."""

    opening: JobOpening
    answer: JobAnswer | None
    when: str
    areas: list[str]

    @property
    def said_yes(self) -> bool:
        return self.answer is not None and self.answer.answer == AnswerChoice.YES

    @property
    def said_no(self) -> bool:
        return self.answer is not None and self.answer.answer == AnswerChoice.NO


def describe_when(opening: JobOpening) -> str:
    """ "tirsdag og torsdag kl. 11.00, hver uke" (visits) or "tirsdag eller torsdag kl. 11.00"
    (a Bli kjent meeting on one of the days)."""
    names = dict(WEEKDAYS)
    days = [str(names[d]) for d in mask_to_weekdays(opening.weekdays)]
    time = opening.start_time.strftime("%H.%M")
    if opening.kind == OpeningKind.INTAKE:
        joined = get_text_list(days, str(_("eller")))
        return _("%(days)s kl. %(time)s") % {"days": joined, "time": time}
    if opening.every_n_weeks == 1:
        every = _("hver uke")
    elif opening.every_n_weeks == 2:
        every = _("annenhver uke")
    else:
        every = _("hver %(n)s. uke") % {"n": opening.every_n_weeks}
    joined = get_text_list(days, str(_("og")))
    return _("%(days)s kl. %(time)s, %(every)s") % {"days": joined, "time": time, "every": every}


def _cards(openings: list[JobOpening], answers: dict[int, JobAnswer]) -> list[JobCard]:
    return [
        JobCard(
            opening=o,
            answer=answers.get(o.pk),
            when=describe_when(o),
            areas=[a.name for a in o.service_areas.all()],
        )
        for o in openings
    ]


@dataclass
class SeniorJobs:
    """The *Ledige jobber* page: state, R6, the open jobs offered, and recent closed ones."""

    interest: JobInterest | None
    state: str
    clearance: Clearance
    offered: list[JobCard] = field(default_factory=list)
    mine: list[JobCard] = field(default_factory=list)  # filled, and the senior was chosen
    closed: list[JobCard] = field(default_factory=list)  # taken by another, or withdrawn

    @property
    def unanswered(self) -> int:
        return sum(1 for card in self.offered if card.answer is None)


def senior_jobs(*, membership: Membership, on: date, now: datetime) -> SeniorJobs:
    """Everything the senior's job page shows, in a handful of queries whatever the count."""
    interest = job_interest_of(membership)
    clearance = training_clearance(membership=membership)
    result = SeniorJobs(
        interest=interest, state=interest_state(interest, on=on), clearance=clearance
    )
    org = Q(organization_id=membership.organization_id)
    departments = offered_department_ids(membership=membership, on=on, clearance=clearance)
    since = now - timedelta(days=RECENT_DAYS)
    answered_ids = list(
        JobAnswer.objects.filter(org, senior=membership).values_list("opening_id", flat=True)
    )
    recent = (Q(status=OpeningStatus.FILLED) & Q(chosen_at__gte=since)) | (
        Q(status=OpeningStatus.WITHDRAWN) & Q(withdrawn_at__gte=since)
    )
    wanted = (Q(status=OpeningStatus.OPEN) & Q(department_id__in=departments)) | (
        recent & (Q(chosen=membership) | Q(pk__in=answered_ids))
    )
    openings = _with_areas(org & wanted)
    answers = {
        a.opening_id: a
        for a in JobAnswer.objects.filter(
            org, senior=membership, opening_id__in=[o.pk for o in openings]
        )
    }
    cards = _cards(openings, answers)
    for card in cards:
        o = card.opening
        if o.status == OpeningStatus.OPEN:
            result.offered.append(card)
        elif o.status == OpeningStatus.FILLED and o.chosen_id == membership.pk:
            result.mine.append(card)
        else:
            result.closed.append(card)
    return result


def job_card(*, opening: JobOpening, membership: Membership) -> JobCard:
    """One job with the senior's answer, for the job's own page."""
    answer = JobAnswer.objects.filter(opening=opening, senior=membership).first()
    return _cards([opening], {opening.pk: answer} if answer else {})[0]


def unanswered_job_count(*, membership: Membership, on: date) -> int:
    """Open jobs offered to `membership` that they have not answered (0 when not offered)."""
    departments = offered_department_ids(membership=membership, on=on)
    if not departments:
        return 0
    return (
        JobOpening.objects.filter(
            organization_id=membership.organization_id,
            department_id__in=departments,
            status=OpeningStatus.OPEN,
        )
        .exclude(answers__senior=membership)
        .count()
    )


def agenda_jobs_line(senior: Membership) -> AgendaLine | None:
    """ "2 ledige jobber" on the senior's agenda: only when they have opted in and there
    are open jobs offered to them that they have not answered."""
    interest = job_interest_of(senior)
    today = timezone.localdate()
    if interest_state(interest, on=today) != State.ACTIVE:
        return None
    count = unanswered_job_count(membership=senior, on=today)
    if not count:
        return None
    text = ngettext("%(n)s ledig jobb", "%(n)s ledige jobber", count) % {"n": count}
    return AgendaLine(text=text, url=reverse("openings:my_jobs"))
