"""SMS jobs. Tasks take ids and call the service of the same name.

The names are those the tasks had in ``seniorene.sms.tasks`` (before issue 17), so that
queued messages and the beat schedule's rows (migration ``sms.0003``) still find them.
"""

from __future__ import annotations

from celery import Task, shared_task

from messaging import services
from seniorene.jobs.tasks import run_job_everywhere
from seniorene.sms.backends import SmsTransientError


@shared_task(
    name="seniorene.sms.tasks.send_sms",
    bind=True,
    acks_late=True,
    soft_time_limit=30,
    time_limit=60,
    autoretry_for=(SmsTransientError,),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    # The message row counts attempts and fails it after MAX_ATTEMPTS; Celery's own
    # limit is only a backstop.
    max_retries=services.MAX_ATTEMPTS + 1,
)
def send_sms(self: Task[[int], str], message_id: int) -> str:
    """Send SMS `message_id` at most once (see `services.sms_send`).

    Not wrapped in one `tenant_context`: the service finds the organization by id
    and commits its claim in a transaction of its own before it calls the provider,
    which is what makes a crash unable to send twice.
    """
    return services.sms_send(message_id=message_id)


@shared_task(
    name="messaging.tasks.send_sms_batch", acks_late=True, soft_time_limit=120, time_limit=150
)
def send_sms_batch(organization_id: int, message_ids: list[int]) -> dict[str, int]:
    """Send up to `services.SEND_BATCH` messages of one organization, each at most once
    (see `services.sms_send_many`): one claim, one consent check, one record for all.

    Not retried by Celery: a transient error puts the messages back in the queue and
    the sweeper enqueues them again. The hard limit is well inside `STUCK_AFTER`.
    """
    return services.sms_send_many(organization_id=organization_id, message_ids=message_ids)


@shared_task(
    name="seniorene.sms.tasks.sms_sweep", acks_late=True, soft_time_limit=50, time_limit=60
)
def sms_sweep() -> int:
    """Every minute (beat; its row names this task): the job "sms_sweep"
    (`messaging.jobs`) for every organization through `run_job`, so each run is
    recorded on the "Jobber" page; return how many organizations."""
    return run_job_everywhere("sms_sweep")
