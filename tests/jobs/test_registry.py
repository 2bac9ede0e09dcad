"""Jobs by registration: each app's ``jobs.py`` registers its jobs, and that one list
feeds the choices of a run, the beat schedule and the admin's "Jobber" page; the core
(`seniorene/jobs`) imports no app."""

from __future__ import annotations

import ast
import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from messaging import tasks as messaging_tasks
from seniorene.jobs.models import JobRun, RunStatus
from seniorene.jobs.registry import (
    JOBS,
    Crontab,
    Interval,
    JobSpec,
    job_choices,
    job_names,
    job_register,
    jobs_all,
)
from seniorene.jobs.services import job_execute
from tests.jobs.conftest import oslo
from tests.sms.helpers import queue_to_relative, relative_with_consent
from training import tasks as training_tasks
from training.models import TeamMeeting, TeamMeetingInvite

pytestmark = pytest.mark.django_db

CORE = Path(settings.BASE_DIR) / "seniorene" / "jobs"


def test_the_team_meeting_and_the_sms_sweep_are_registered_jobs():
    assert {"team_meeting", "sms_sweep"} <= set(job_names())
    assert [name for name, _label in job_choices()] == job_names()


def test_every_registered_job_is_in_the_beat_schedule_in_oslo_time():
    for spec in jobs_all():
        row = PeriodicTask.objects.get(name=spec.beat_name)
        assert (row.task, json.loads(row.args), row.enabled) == (
            spec.beat_task,
            spec.beat_args,
            True,
        ), spec.name
        if isinstance(spec.schedule, Interval):
            assert row.crontab is None, spec.name
            assert (row.interval.every, row.interval.period) == (spec.schedule.minutes, "minutes")
        else:
            assert row.interval is None, spec.name
            assert (row.crontab.minute, row.crontab.hour) == (
                spec.schedule.minute,
                spec.schedule.hour,
            ), spec.name
            assert row.crontab.timezone.key == "Europe/Oslo"


def test_the_schedule_command_restores_the_team_meeting_and_the_sms_sweep():
    names = [JOBS["team_meeting"].beat_name, JOBS["sms_sweep"].beat_name]
    PeriodicTask.objects.filter(name__in=names).delete()
    call_command("jobs_schedule", stdout=StringIO())
    assert PeriodicTask.objects.filter(name__in=names).count() == 2
    assert PeriodicTask.objects.get(name=names[0]).task == (
        "training.tasks.send_team_meeting_invites_all"
    )
    assert PeriodicTask.objects.get(name=names[1]).task == "seniorene.sms.tasks.sms_sweep"


def test_every_registered_job_is_on_the_jobber_page_with_its_last_run(world, client_for):
    organization = world.home.organization
    for spec in jobs_all():
        JobRun.objects.create(
            organization=organization, job=spec.name, status=RunStatus.OK, note=f"note-{spec.name}"
        )
    html = client_for(world.home.admin).get("/jobber/").content.decode()
    for spec in jobs_all():
        assert str(spec.label) in html, spec.name
        assert f"note-{spec.name}" in html, spec.name
    assert "Ikke kjørt ennå" not in html


def test_the_team_meeting_beat_task_runs_the_job_once_per_organization_and_records_it(
    world, client_for, mailoutbox
):
    with time_machine.travel(oslo(2026, 2, 20, 12, 0), tick=False):
        meeting = TeamMeeting.objects.create(
            organization=world.home.organization,
            year=2026,
            month=3,
            starts_at=oslo(2026, 3, 12, 18, 0),
            link="https://teams.example/mars",
        )
    with time_machine.travel(oslo(2026, 3, 1, 8, 0), tick=False):
        training_tasks.send_team_meeting_invites_all()
        training_tasks.send_team_meeting_invites_all()
    sent = TeamMeetingInvite.objects.filter(meeting=meeting).count()
    assert sent == len(mailoutbox) > 0  # nobody got it twice
    runs = JobRun.objects.filter(organization=world.home.organization, job="team_meeting")
    assert [(r.status, r.handled, r.for_date) for r in runs] == [
        (RunStatus.OK, 0, dt.date(2026, 3, 1)),
        (RunStatus.OK, sent, dt.date(2026, 3, 1)),
    ]
    assert JobRun.objects.filter(organization=world.other.organization, job="team_meeting").exists()
    html = client_for(world.home.admin).get("/jobber/").content.decode()
    assert "Månedens teamsmøte: lenken til seniorene" in html


def test_the_sms_sweep_beat_task_runs_the_job_per_organization_and_records_it(
    world, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "outbox"
    with time_machine.travel(oslo(2026, 3, 1, 12, 0), tick=False):
        relative = relative_with_consent(world.home.dept_a)
    with time_machine.travel(oslo(2026, 3, 10, 22, 0), tick=False):
        message = queue_to_relative(relative)  # waits for the morning
    with (
        time_machine.travel(oslo(2026, 3, 11, 9, 0, 30), tick=False),
        django_capture_on_commit_callbacks(execute=False) as first,
    ):
        messaging_tasks.sms_sweep()
    with (
        time_machine.travel(oslo(2026, 3, 11, 9, 1, 30), tick=False),
        django_capture_on_commit_callbacks(execute=False) as second,
    ):
        messaging_tasks.sms_sweep()
    message.refresh_from_db()
    assert message.enqueued_for is not None
    assert (len(first), len(second)) == (1, 0)  # enqueued once: its task has it now
    runs = JobRun.objects.filter(organization=world.home.organization, job="sms_sweep")
    assert [(r.status, r.handled, r.for_date) for r in runs] == [
        (RunStatus.OK, 0, dt.date(2026, 3, 11)),
        (RunStatus.OK, 1, dt.date(2026, 3, 11)),
    ]
    assert JobRun.objects.filter(organization=world.other.organization, job="sms_sweep").exists()


def test_the_minutely_sweep_keeps_only_its_latest_empty_run_and_every_run_that_did_something(
    world, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "outbox"
    with time_machine.travel(oslo(2026, 3, 1, 12, 0), tick=False):
        relative = relative_with_consent(world.home.dept_a)
    with time_machine.travel(oslo(2026, 3, 10, 22, 0), tick=False):
        queue_to_relative(relative)  # waits for the morning
    minutes = [(8, 58), (8, 59), (9, 0), (9, 1), (9, 2), (9, 3)]  # due at 09:00
    for hour, minute in minutes:
        with (
            time_machine.travel(oslo(2026, 3, 11, hour, minute, 30), tick=False),
            django_capture_on_commit_callbacks(execute=False),
        ):
            messaging_tasks.sms_sweep()
    runs = JobRun.objects.filter(organization=world.home.organization, job="sms_sweep")
    # Six runs: the one that enqueued the message stays; of the five that found nothing,
    # only the latest, so the page still says when the sweep last ran.
    assert [(r.handled, timezone.localtime(r.started_at).strftime("%H:%M")) for r in runs] == [
        (0, "09:03"),
        (1, "09:00"),
    ]


def test_a_job_added_by_an_app_needs_no_migration_and_runs_like_the_others(world):
    def run(*, organization_id, day, now, tally):
        tally.handled += 1

    spec = JobSpec(
        name="registry_probe",
        label="Prøvejobb",
        run=run,
        schedule=Crontab(minute="0", hour="12"),
        beat_name="Jobb: prøve",
    )
    job_register(spec)
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())
        assert job_execute(organization_id=world.home.organization.pk, job=spec.name) == {
            "handled": 1,
            "skipped": 0,
            "failed": 0,
        }
        assert JobRun.objects.get(job=spec.name).get_job_display() == "Prøvejobb"
    finally:
        del JOBS[spec.name]


def test_a_second_job_of_the_same_name_is_refused():
    spec = JOBS["reminders"]
    with pytest.raises(ValueError, match="registered twice"):
        job_register(JobSpec(name=spec.name, label="x", run=spec.run, schedule=spec.schedule,
                             beat_name="x"))  # fmt: skip


def _imported_modules(path: Path, *, runtime_only: bool = False) -> set[str]:
    """Every module `path` imports (also inside functions); without those under
    ``if TYPE_CHECKING:`` when `runtime_only`."""
    tree = ast.parse(path.read_text(), filename=str(path))
    skip: set[int] = set()
    if runtime_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skip |= {id(n) for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_the_job_core_imports_no_app():
    base = Path(settings.BASE_DIR).resolve()
    packages = {config.name.split(".")[0] for config in apps.get_app_configs()}
    own_apps = {p for p in packages if (base / p / "__init__.py").exists()} - {"seniorene"}
    assert {"customers", "visits", "training", "omsorg", "messaging"} <= own_apps
    files = sorted(CORE.rglob("*.py"))
    assert CORE / "registry.py" in files
    offending = {
        f"{path.relative_to(base)}: {module}"
        for path in files
        for module in _imported_modules(path)
        if module.split(".")[0] in own_apps
    }
    assert offending == set()


def test_the_registry_imports_nothing_that_imports_it_back():
    modules = _imported_modules(CORE / "registry.py", runtime_only=True)
    assert not {m for m in modules if m.startswith("seniorene.")}
