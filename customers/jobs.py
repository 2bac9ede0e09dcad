"""The customers' job: anonymise ended recipients after the retention period.

Registered with the core's job registry (`seniorene.jobs.registry`).
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from customers.models import CareRecipient
from customers.services import recipient_anonymise, recipients_due_for_anonymisation
from seniorene.accounts.tenancy import tenant_context
from seniorene.jobs.registry import Crontab, JobSpec, Tally, job_register
from seniorene.jobs.services import job_history_prune


def retention_run(*, organization_id: int, day: date, now: datetime, tally: Tally) -> None:
    """Anonymise ended recipients whose retention period has passed (one transaction each);
    forget job runs and claims older than `seniorene.jobs.services.JOB_HISTORY`."""
    with tenant_context(organization_id):
        ids = list(
            recipients_due_for_anonymisation(organization_id=organization_id, now=now).values_list(
                "pk", flat=True
            )
        )
    for recipient_id in ids:
        with tenant_context(organization_id):
            recipient = CareRecipient.objects.for_organization(organization_id).get(pk=recipient_id)
            recipient_anonymise(recipient=recipient)
        tally.handled += 1
    old_runs, old_claims = job_history_prune(organization_id=organization_id, now=now)
    if old_runs or old_claims:
        tally.notes.append(f"removed {old_runs} old job runs, {old_claims} old claims")


job_register(
    JobSpec(
        name="retention",
        label=_("Anonymiser avsluttede brukere"),
        run=retention_run,
        schedule=Crontab(minute="30", hour="3"),
        beat_name="Jobb: anonymiser avsluttede brukere",
        position=90,
    )
)
