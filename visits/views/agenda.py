"""The senior's agenda (today first) and one visit's page on the phone."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from omsorg.views import briefing_context
from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm
from training.services import Clearance, training_clearance
from visits.access import (
    get_own_visit_for_senior,
)
from visits.agenda_lines import agenda_lines
from visits.first_visit import calls_before_first_visit
from visits.models import (
    VisitStatus,
)
from visits.selectors import (
    PAST_VISITS_DAYS,
    senior_agenda_and_unlogged,
    senior_contacts,
    senior_past_visits,
    visit_after,
)


@require(Perm.VIEW_OWN_VISITS)
def agenda(request: AuthedRequest) -> HttpResponse:
    """ "Ikke ført" (earlier days' visits not yet logged or closed), today, then the next
    two weeks."""
    from visits.models import VisitLogDraft

    unlogged, days = senior_agenda_and_unlogged(senior=request.membership)
    today = [v.pk for d in days if d.is_today for v in d.visits]
    arrived = set(
        VisitLogDraft.objects.filter(
            visit_id__in=today, membership=request.membership, arrived_at__isnull=False
        ).values_list("visit_id", flat=True)
    )
    calls = calls_before_first_visit(
        senior_id=request.membership.pk, visits=[v for d in days for v in d.visits]
    )
    ctx = {
        "days": days,
        "arrived": arrived,
        # Q3: the visits the senior is to call the recipient before (the first visit).
        "call_first_ids": set(calls),
        "unlogged": unlogged,
        "clearance": _clearance(request),
        # Lines other apps add (openings: "2 ledige jobber"), see visits/agenda_lines.py.
        "agenda_lines": agenda_lines(senior=request.membership),
        **_concerns_raised(request),
    }
    return render(request, "visits/agenda.html", ctx)


# The agenda counts the answers to the senior's concerns of the last week.
NEW_ANSWER_DAYS = 7


def _concerns_raised(request: AuthedRequest) -> dict[str, int]:
    """How many concerns the senior has raised, and how many were answered lately (the
    agenda's link to "Mine meldinger")."""
    from datetime import timedelta

    from django.db.models import Count, Q

    from visits.models import Concern

    since = timezone.now() - timedelta(days=NEW_ANSWER_DAYS)
    counts = (
        Concern.objects.for_organization(request.organization)
        .filter(raised_by=request.membership)
        .aggregate(raised=Count("pk"), answered=Count("pk", filter=Q(answered_at__gte=since)))
    )
    return {"concerns_raised": counts["raised"], "concerns_answered": counts["answered"]}


@require(Perm.VIEW_OWN_VISITS)
def past_visits(request: AuthedRequest) -> HttpResponse:
    """ "Tidligere besøk": the senior's visits of the last 30 days that are done with."""
    visits = senior_past_visits(senior=request.membership)
    ctx = {"visits": visits, "days": PAST_VISITS_DAYS}
    return render(request, "visits/past_visits.html", ctx)


@require(Perm.VIEW_OWN_VISITS)
def who_to_call(request: AuthedRequest) -> HttpResponse:
    """ "Hvem ringer jeg?": the senior's department leader(s) and the lead, with call
    buttons and what each is for (from the manual)."""
    return render(
        request, "visits/who_to_call.html", {"contacts": senior_contacts(senior=request.membership)}
    )


def _clearance(request: AuthedRequest) -> Clearance:
    """The senior's R6 state: until cleared, the agenda starts with the way to training."""
    return training_clearance(membership=request.membership)


@require(Perm.VIEW_OWN_VISITS)
def my_visit(request: AuthedRequest, pk: int) -> HttpResponse:
    from messaging.models import SmsPurpose
    from visits.feedback import feedback_offered
    from visits.models import VisitLogDraft

    visit = get_own_visit_for_senior(request, pk)
    after = visit_after(visit)
    is_today = timezone.localdate(visit.starts_at) == timezone.localdate()
    ctx = {
        "is_today": is_today,
        "arrived": is_today
        and VisitLogDraft.objects.filter(
            visit_id=visit.pk, membership=request.membership, arrived_at__isnull=False
        ).exists(),
        "visit": visit,
        # Q3: "Ring før første besøk" (with the recipient's phone) until the visit starts.
        "call_first": bool(
            calls_before_first_visit(senior_id=request.membership.pk, visits=[visit])
        ),
        "areas": visit.service_areas.all(),
        "after": after,
        "may_give_feedback": visit.status == VisitStatus.LOGGED
        and not any(m.purpose == SmsPurpose.VISIT_SUMMARY_SMS for m in after.sms)
        and feedback_offered(visit),
        # What the Bli kjent interview learned (R3: the recipient's seniors; read is logged).
        **briefing_context(request, visit.recipient, where="besøk"),
    }
    return render(request, "visits/my_visit.html", ctx)
