"""Messaging's job: the SMS sweep, every minute.

Registered with the core's job registry (`seniorene.jobs.registry`). It enqueues due
messages that wait for no task (quiet hours, a lost task) and flags sends whose worker
died as "uncertain" (never re-sent: R8). At most once per message as before: each
message is claimed by its own send task (`services.sms_send`), the sweep only enqueues.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from messaging import services
from seniorene.jobs.registry import Interval, JobSpec, Tally, job_register


def sms_sweep_run(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """Enqueue the organization's due messages; flag its sends whose worker was lost."""
    counts = services.sms_sweep_organization(organization_id=organization_id, now=now)
    tally.handled += counts["enqueued"]
    if counts["uncertain"]:
        tally.notes.append(f"{counts['uncertain']} uncertain")


job_register(
    JobSpec(
        name="sms_sweep",
        label=_("Send ventende SMS, finn avbrutte sendinger"),
        run=sms_sweep_run,
        schedule=Interval(minutes=1),
        # The row migration sms.0003 made; it calls this app's own fan-out task.
        beat_name="SMS: send ventende meldinger, finn avbrutte sendinger",
        beat_task="seniorene.sms.tasks.sms_sweep",
        position=120,
        keep_one_empty_run=True,
    )
)
