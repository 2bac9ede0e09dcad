"""The admin's "Jobber" page: each job's last run, the latest runs, the job settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm
from seniorene.jobs import services
from seniorene.jobs.forms import JobSettingsForm
from seniorene.jobs.models import JobRun
from seniorene.jobs.registry import jobs_all

RECENT = 50


@require(Perm.VIEW_JOB_RUNS)
def runs(request: AuthedRequest) -> HttpResponse:
    """Last run per job (when, items handled, failures) and the organization's latest runs."""
    organization = request.organization
    if request.method == "POST":
        form = JobSettingsForm(request.POST)
        if form.is_valid():
            minutes = form.cleaned_data["late_start_minutes"]
            services.job_settings_save(
                organization=organization, late_start_minutes=minutes, by=request.user
            )
            messages.success(request, _("Innstillingene er lagret."))
            return redirect("jobs:runs")
    else:
        form = JobSettingsForm(
            initial={"late_start_minutes": services.late_start_minutes(organization.pk)}
        )
    last = services.last_runs(organization.pk)
    ctx = {
        "jobs": [(spec.name, spec.label, last.get(spec.name)) for spec in jobs_all()],
        "recent": list(
            JobRun.objects.for_organization(organization).order_by("-started_at", "-id")[:RECENT]
        ),
        "form": form,
    }
    return render(request, "jobs/runs.html", ctx)
