"""The admin's "Jobber" page: last run per job, recent runs, the late-start setting."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from seniorene.audit.models import AuditEvent
from seniorene.jobs.models import JobRun, JobSettings, RunStatus
from seniorene.jobs.services import job_execute

pytestmark = pytest.mark.django_db


def test_the_admin_sees_the_last_run_of_each_job_of_their_own_organization(world, client_for):
    job_execute(organization_id=world.home.organization.pk, job="late_start")
    JobRun.objects.create(
        organization=world.other.organization, job="reminders", status=RunStatus.FAILED,
        note="Borte-feil",
    )  # fmt: skip
    response = client_for(world.home.admin).get("/jobber/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Varsel om besøk som ikke har startet" in html
    assert "Fullført" in html
    assert "Ikke kjørt ennå" in html  # the reminders have not run here
    assert "Borte-feil" not in html


@pytest.mark.parametrize("persona", ["lead", "leader_a", "senior_a"])
def test_only_the_admin_may_see_the_job_runs(world, client_for, persona):
    assert client_for(world.home.persona(persona)).get("/jobber/").status_code == 403


def test_the_admin_sets_the_late_start_minutes_for_their_organization(world, client_for):
    client = client_for(world.home.admin)
    response = client.post("/jobber/", {"late_start_minutes": "45"})
    assert response.status_code == 302
    assert JobSettings.objects.get(organization=world.home.organization).late_start_minutes == 45
    assert not JobSettings.objects.filter(organization=world.other.organization).exists()
    assert AuditEvent.objects.filter(action="jobs.settings_changed").count() == 1
    response = client.post("/jobber/", {"late_start_minutes": "2"})
    assert response.status_code == 200
    assert JobSettings.objects.get(organization=world.home.organization).late_start_minutes == 45


def test_a_job_can_be_run_by_hand_for_a_date(world):
    out = StringIO()
    call_command(
        "run_job", "reminders", "--date", "2026-03-11",
        "--organization", str(world.home.organization.pk), stdout=out,
    )  # fmt: skip
    line = json.loads(out.getvalue())
    assert line == {
        "organization": world.home.organization.pk,
        "job": "reminders",
        "handled": 0,
        "skipped": 0,
        "failed": 0,
    }
    run = JobRun.objects.get()
    assert (run.trigger, str(run.for_date)) == ("manual", "2026-03-11")
