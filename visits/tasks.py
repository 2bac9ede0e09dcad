"""Background jobs for visits: expanding plans and the watchdog e-mail.

Each task takes the organization id first and works inside `tenant_context`:
under row-level security a task sees nothing until it has set its tenant. Beat runs
these jobs through `seniorene.jobs` (`run_job`, recorded on the *Jobber* page); the
tasks here queue the same work for one organization by hand.
"""

from __future__ import annotations

from celery import shared_task

from seniorene.accounts.tenancy import tenant_context
from seniorene.jobs.services import JobTransientError
from seniorene.jobs.tasks import notice_task


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def expand_plans(organization_id: int) -> dict[str, int]:
    """Make the organization's visits for the rolling horizon (safe to repeat)."""
    from visits.planning import plans_expand

    with tenant_context(organization_id):
        result = plans_expand(organization_id=organization_id)
    return {
        "created": result.created,
        "updated": result.updated,
        "restored": result.restored,
        "cancelled": result.cancelled,
    }


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def watchdog_email_leaders(organization_id: int) -> int:
    """Queue the daily watchdog e-mail for each active leader of the organization."""
    from visits.watchdog import leaders_of

    with tenant_context(organization_id):
        leader_ids = leaders_of(organization_id)
    for membership_id in leader_ids:
        watchdog_email_leader.delay(organization_id, membership_id)
    return len(leader_ids)


@notice_task()
def watchdog_email_leader(organization_id: int, membership_id: int) -> str:
    """E-mail one leader their watchdog list; at most once a day (the notice is claimed)."""
    from visits.watchdog import watchdog_email

    with tenant_context(organization_id):
        outcome = watchdog_email(membership_id=membership_id)
    if outcome == "retry":
        raise JobTransientError(f"watchdog e-mail to leader {membership_id}")
    return outcome


@notice_task()
def concern_notify(organization_id: int, concern_id: int) -> dict[int, str]:
    """Tell the department's leaders of a new concern at once, each once (the claims); the
    15-minute job (`visits.concern_notices.concerns_escalate`) sends what a lost task did not."""
    from visits.concern_notices import concern_notify as notify

    outcomes = notify(organization_id=organization_id, concern_id=concern_id)
    if "retry" in outcomes.values():
        raise JobTransientError(f"concern {concern_id}: a leader's notice to try again")
    return outcomes
