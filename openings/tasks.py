"""Background sending of the jobs' notices. Tasks take the organization id with the job's
id: under row-level security a task sees nothing until it has set its tenant."""

from __future__ import annotations

from celery import shared_task

from openings.notices import choice_announce, opening_announce


class NoticeRetry(Exception):
    """The mail server asked us to try later; the notice's claim is queued again."""


@shared_task(
    autoretry_for=(NoticeRetry,),
    retry_backoff=60,
    max_retries=4,
    acks_late=True,
    soft_time_limit=120,
    time_limit=180,
)
def announce_opening(organization_id: int, opening_id: int) -> None:
    """Tell the seniors the job is offered to; claimed per senior, so once each."""
    sent = opening_announce(organization_id=organization_id, opening_id=opening_id)
    if "retry" in sent.values():
        raise NoticeRetry(f"opening {opening_id} published")


@shared_task(
    autoretry_for=(NoticeRetry,),
    retry_backoff=60,
    max_retries=4,
    acks_late=True,
    soft_time_limit=120,
    time_limit=180,
)
def announce_choice(organization_id: int, opening_id: int) -> None:
    """Tell the chosen senior and the others who said yes; claimed per senior."""
    sent = choice_announce(organization_id=organization_id, opening_id=opening_id)
    if "retry" in sent.values():
        raise NoticeRetry(f"opening {opening_id} chosen")
