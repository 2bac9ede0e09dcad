"""Jobs: the monthly team-meeting invitations. Tasks take ids and call the service."""

from __future__ import annotations

from celery import shared_task

from seniorene.jobs.services import JobTransientError
from seniorene.jobs.tasks import notice_task, run_job_everywhere
from training import services
from training.posten_notices import posten_deliver


@shared_task
def send_team_meeting_invites(organization_id: int, year: int, month: int) -> int:
    """Send the organization's meeting link for `year`-`month` to every senior who lacks it;
    return how many were sent.

    Idempotent: running it again (or twice at once) sends nobody a second one.
    """
    return services.team_meeting_invites_send(
        organization_id=organization_id, year=year, month=month
    ).handled


@shared_task
def send_team_meeting_invites_all() -> int:
    """For the beat schedule (its row names this task): this month's invitations, run as
    the job "team_meeting" (`training.jobs`) for every organization, so each run is
    recorded on the "Jobber" page; return how many organizations.

    Runs daily from the 1st, so a meeting set later in the month, and a senior who
    joins before it, still get the link; nobody gets it twice.
    """
    return run_job_everywhere("team_meeting")


@notice_task(seconds=300)
def deliver_seniorposten(organization_id: int, issue_id: int) -> int:
    """Send a sent Seniorposten to the department's seniors who have not had it (e-mail, and
    SMS with consent); return how many e-mails went out. Idempotent: once per senior and
    channel, however often it runs."""
    tally = posten_deliver(organization_id=organization_id, issue_id=issue_id)
    if tally.transient:
        raise JobTransientError(f"seniorposten {issue_id}")
    return tally.handled
