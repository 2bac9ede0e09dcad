"""Jobs: the monthly team-meeting invitations. Tasks take ids and call the service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from seniorene.accounts.models import Organization
from training import services


@shared_task
def send_team_meeting_invites(organization_id: int, year: int, month: int) -> int:
    """Send the organization's meeting link for `year`-`month` to every senior who lacks it.

    Idempotent: running it again (or twice at once) sends nobody a second one.
    """
    return services.team_meeting_invites_send(
        organization_id=organization_id, year=year, month=month
    )


@shared_task
def send_team_meeting_invites_all() -> int:
    """For the beat schedule: this month's invitations, one task per organization.

    Runs daily from the 1st, so a meeting set later in the month, and a senior who
    joins before it, still get the link; nobody gets it twice.
    """
    today = timezone.localdate()
    # Organizations are not tenant rows: the list is readable without a tenant.
    ids = list(Organization.objects.values_list("pk", flat=True))
    for organization_id in ids:
        send_team_meeting_invites.delay(organization_id, today.year, today.month)
    return len(ids)
