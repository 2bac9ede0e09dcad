"""Training's job: the month's team-meeting link to every active senior.

Registered with the core's job registry (`seniorene.jobs.registry`). Daily at 08:00
Oslo time: on the 1st it sends the month's link; later days reach a meeting set after
the 1st and seniors who joined since. Nobody gets it twice (one invite row per senior and
meeting, each sent through its notice claim, see `services.team_meeting_invites_send`).
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from seniorene.jobs.registry import Crontab, JobSpec, Tally, job_register
from training import services


def team_meeting_run(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """Send the meeting link of `day`'s month to the seniors who have not had it."""
    done = services.team_meeting_invites_send(
        organization_id=organization_id, year=day.year, month=day.month, now=now
    )
    tally.handled += done.handled
    tally.skipped += done.skipped
    tally.failed += done.failed
    tally.transient += done.transient


job_register(
    JobSpec(
        name="team_meeting",
        label=_("Månedens teamsmøte: lenken til seniorene"),
        run=team_meeting_run,
        schedule=Crontab(minute="0", hour="8"),
        # The row migration training.0003 made; it calls this app's own fan-out task.
        beat_name="Teamsmøte: send månedens lenke",
        beat_task="training.tasks.send_team_meeting_invites_all",
        position=110,
    )
)
