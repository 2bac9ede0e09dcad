"""The leader's week, a senior's availability and the watchdog."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from omsorg.selectors import leader_notices_unseen, recontacts_due
from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm
from seniorene.audit.services import view_record
from seniorene.forms import add_errors
from visits.absences import absences_to_follow_up
from visits.access import (
    get_senior_for_user,
    plannable_seniors,
    planning_departments,
)
from visits.availability import availability_set
from visits.concerns import concerns_open
from visits.follow_up import follow_up_sections
from visits.forms import (
    AvailabilityForm,
    WeekFilterForm,
)
from visits.models import (
    SeniorAvailability,
)
from visits.selectors import (
    FOLLOW_UP_DAYS,
    department_week,
    logs_many_hours,
    sms_failed,
    visits_unlogged,
)
from visits.watchdog import WATCHDOG_DAYS, watchdog_list


def _week_url(department_id: int, when) -> str:
    day = timezone.localtime(when).date() if hasattr(when, "hour") else when
    return f"{reverse('visits:week')}?avdeling={department_id}&uke={day.isoformat()}"


@require(Perm.PLAN_VISITS)
def week(request: AuthedRequest) -> HttpResponse:
    """One department's week: seniors as rows, days as columns, every visit with its state."""
    departments = list(planning_departments(request).order_by("name"))
    ctx: dict = {"departments": departments}
    if not departments:
        return render(request, "visits/week.html", ctx)
    wanted = request.GET.get("avdeling", "")
    department = next((d for d in departments if str(d.pk) == wanted), departments[0])
    seniors = list(plannable_seniors(request, department))
    data = request.GET.copy()
    data["avdeling"] = str(department.pk)
    data.setdefault("uke", timezone.localdate().isoformat())
    form = WeekFilterForm(data, departments=departments, seniors=seniors)
    day = form.value("uke", timezone.localdate())
    senior_id = form.value("senior")
    show = form.value("vis", "")
    the_week = department_week(
        department=department, day=day, seniors=seniors, senior_id=senior_id, show=show
    )
    query = request.GET.copy()
    query["avdeling"] = str(department.pk)
    query.pop("uke", None)
    ctx.update(
        {
            "form": form,
            "week": the_week,
            "department": department,
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "conflict_count": the_week.conflict_count,
        }
    )
    return render(request, "visits/week.html", ctx)


@require(Perm.PLAN_VISITS)
def availability(request: AuthedRequest, pk: int) -> HttpResponse:
    senior = get_senior_for_user(request, pk)
    windows = SeniorAvailability.objects.filter(membership=senior)
    form = AvailabilityForm(request.POST or None, initial=AvailabilityForm.initial_from(windows))
    if request.method == "POST" and form.is_valid():
        try:
            availability_set(membership=senior, by=request.membership, windows=form.windows())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("Tilgjengeligheten til %(name)s er lagret.") % {"name": senior.user.name}
            )
            return redirect("visits:availability", senior.pk)
    ctx = {"senior": senior, "form": form}
    return render(request, "visits/availability.html", ctx)


@require(Perm.PLAN_VISITS)
def watchdog(request: AuthedRequest) -> HttpResponse:
    """Active recipients who may silently drop out: no coming visit, or plans ending soon."""
    scope: dict[str, Any] = {
        "organization_id": request.organization.pk,
        "department_ids": request.scope.department_ids,
    }
    recontacts = recontacts_due(**scope)
    for interview in recontacts:  # why they declined is the interview's (R3): logged
        view_record(
            organization=request.organization,
            viewer=request.user,
            obj=interview,
            what="kontakt igjen (Følg opp)",
        )
    ctx = {
        # First on the page: the seniors' concerns nobody has answered (visits.concerns).
        "concerns": concerns_open(**scope),
        "leader_notices": leader_notices_unseen(membership=request.membership),
        "recontacts": recontacts,
        "rows": watchdog_list(**scope),
        "days": WATCHDOG_DAYS,
        "unlogged": visits_unlogged(**scope),
        "failed_sms": sms_failed(**scope),
        "many_hours": logs_many_hours(**scope),
        "follow_up_days": FOLLOW_UP_DAYS,
        "absences": absences_to_follow_up(**scope),
        "sections": follow_up_sections(request),  # the apps above visits (open jobs)
    }
    return render(request, "visits/watchdog.html", ctx)
