"""SMS jobs. Tasks take ids and call the service of the same name."""

from __future__ import annotations

from celery import shared_task

from seniorene.sms import services
from seniorene.sms.backends import SmsTransientError


@shared_task(
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
def send_sms(self, message_id: int) -> str:
    """Send SMS `message_id` at most once (see `services.sms_send`).

    Not wrapped in one `tenant_context`: the service finds the organization by id
    and commits its claim in a transaction of its own before it calls the provider,
    which is what makes a crash unable to send twice.
    """
    return services.sms_send(message_id=message_id)


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def sms_sweep() -> dict[str, int]:
    """Every minute (beat): enqueue due messages, flag sends whose worker was lost."""
    return services.sms_sweep()
