"""Seniorposten, writing and sending: the department leader's monthly letter to the seniors
(issue 22).

The manual: "Link til månedlig teamsmøter blir sendt ut i Seniorposten som blir sendt til
dere fra avdelingsleder i begynnelsen av hver måned." A leader (for their departments; the
lead and admin for any) writes a draft, previews it as the senior will see it, and sends it.
Sending marks it sent (read-only from then on) and runs `posten_notices.posten_deliver`
as a background task: each active senior of the department gets it once per channel (the
e-mail through a notice claim, the SMS through the outbox, each keyed
``seniorposten:<id>:<senior>:<channel>``), so a rerun, a double click or a retry sends
nobody anything twice, and a senior who joined the
department since gets it on the next run.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from seniorene.accounts.models import Department, Membership
from seniorene.accounts.policy import can_see_department
from seniorene.audit.services import audit_record
from training.models import PostenStatus, Seniorposten
from training.posten_selectors import month_name, posten_default_title, posten_meeting


def _check_writer(by: Membership, department: Department) -> None:
    if department.organization_id != by.organization_id or not can_see_department(
        by, department.pk
    ):
        raise PermissionDenied


def posten_save(
    *,
    by: Membership,
    issue: Seniorposten | None,
    department: Department,
    year: int,
    month: int,
    title: str,
    body: str,
) -> Seniorposten:
    """Write a new draft, or change one; a sent letter cannot change. Audited."""
    _check_writer(by, department)
    if issue is not None:
        if issue.organization_id != by.organization_id:
            raise PermissionDenied
        if issue.is_sent:
            raise ValidationError(_("Seniorposten er sendt og kan ikke endres."))
    body = body.strip()
    if not body:
        raise ValidationError(_("Skriv en tekst."))
    creating = issue is None
    if issue is None:
        issue = Seniorposten(organization_id=by.organization_id, written_by=by)
    issue.department = department
    issue.year, issue.month = year, month
    issue.title = title.strip() or posten_default_title(year, month)
    issue.body = body
    try:
        with transaction.atomic():
            issue.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("%(department)s har allerede en Seniorposten for %(month)s.")
            % {"department": department.name, "month": month_name(year, month)}
        ) from exc
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="training.seniorposten_created" if creating else "training.seniorposten_updated",
        obj=issue,
        details={"department": department.pk, "year": year, "month": month},
    )
    return issue


def posten_send(*, issue: Seniorposten, by: Membership, now: datetime | None = None) -> bool:
    """Send `issue` to the department's active seniors: mark it sent (read-only, the
    meeting kept as it stands), audit it, and start the delivery task after commit.
    Return True when this call sent it; a second press (or a rerun for seniors who joined
    since) starts the delivery again, which sends nobody anything twice."""
    _check_writer(by, issue.department)
    now = now or timezone.now()
    meeting = posten_meeting(issue)
    with transaction.atomic():
        first = bool(
            Seniorposten.objects.filter(pk=issue.pk, status=PostenStatus.DRAFT).update(
                status=PostenStatus.SENT,
                sent_at=now,
                sent_by=by,
                meeting_starts_at=meeting.starts_at if meeting else None,
                meeting_link=meeting.link if meeting else "",
                updated_at=now,
            )
        )
        if first:
            audit_record(
                organization=by.organization,
                actor=by.user,
                action="training.seniorposten_sent",
                obj=issue,
                details={
                    "department": issue.department_id,
                    "year": issue.year,
                    "month": issue.month,
                },
            )
        org_id, pk = issue.organization_id, issue.pk

        def start() -> None:
            from training.tasks import deliver_seniorposten

            deliver_seniorposten.delay(org_id, pk)

        transaction.on_commit(start)
    issue.refresh_from_db()
    return first
