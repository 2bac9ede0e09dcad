"""Background sending of the jobs' notices. Tasks take the organization id with the job's
id: under row-level security a task sees nothing until it has set its tenant."""

from __future__ import annotations

from openings.notices import choice_announce, opening_announce
from seniorene.jobs.services import JobTransientError
from seniorene.jobs.tasks import notice_task


@notice_task(seconds=120)
def announce_opening(organization_id: int, opening_id: int) -> None:
    """Tell the seniors the job is offered to; claimed per senior, so once each."""
    sent = opening_announce(organization_id=organization_id, opening_id=opening_id)
    if "retry" in sent.values():
        raise JobTransientError(f"opening {opening_id} published")


@notice_task(seconds=120)
def announce_choice(organization_id: int, opening_id: int) -> None:
    """Tell the chosen senior and the others who said yes; claimed per senior."""
    sent = choice_announce(organization_id=organization_id, opening_id=opening_id)
    if "retry" in sent.values():
        raise JobTransientError(f"opening {opening_id} chosen")
