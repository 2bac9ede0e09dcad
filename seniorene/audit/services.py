"""Write the audit trail; every service that changes something calls `audit_record`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import models

from seniorene.accounts.models import Organization, User
from seniorene.audit.models import AuditEvent, ViewRecord


def _describe(obj: models.Model | None) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    return obj._meta.label_lower, str(obj.pk), str(obj)[:200]


def audit_record(
    *,
    organization: Organization,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event; `details` must be JSON-serialisable and free of sensitive text."""
    object_type, object_id, object_repr = _describe(obj)
    return AuditEvent.objects.create(
        organization=organization,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        details=details or {},
    )


def audit_record_many(
    *,
    organization: Organization,
    actor: User | None,
    action: str,
    entries: Iterable[tuple[models.Model | None, dict[str, Any]]],
) -> list[AuditEvent]:
    """`audit_record` for many objects in one statement: one event per (object, details),
    the same rows as one call each (the bulk senders audit a batch at a time)."""
    events = []
    for obj, details in entries:
        object_type, object_id, object_repr = _describe(obj)
        events.append(
            AuditEvent(
                organization=organization,
                actor=actor,
                action=action,
                object_type=object_type,
                object_id=object_id,
                object_repr=object_repr,
                details=details or {},
            )
        )
    return AuditEvent.objects.bulk_create(events) if events else []


def audit_happened_since(
    *, organization_id: int, obj: models.Model, actions: Iterable[str], since: datetime
) -> bool:
    """Whether one of `actions` was recorded on `obj` after `since` (e.g. for a rate limit)."""
    object_type, object_id, _repr = _describe(obj)
    return AuditEvent.objects.filter(
        organization_id=organization_id,
        object_type=object_type,
        object_id=object_id,
        action__in=list(actions),
        at__gt=since,
    ).exists()


def audit_relabel(
    *, organization_id: int, model: type[models.Model], ids: Iterable[Any], label: str
) -> int:
    """Retention: give `model` rows `ids` the label `label` in the audit and view logs.

    Who did what, and when, stays; only the stored description of the object (which may
    hold a name or free text) is replaced. Returns how many log rows were relabelled.
    """
    same = {
        "organization_id": organization_id,
        "object_type": model._meta.label_lower,
        "object_id__in": [str(pk) for pk in ids],
    }
    if not same["object_id__in"]:
        return 0
    return AuditEvent.objects.filter(**same).update(object_repr=label[:200]) + (
        ViewRecord.objects.filter(**same).update(object_repr=label[:200])
    )


def view_record(
    *, organization: Organization, viewer: User, obj: models.Model, what: str
) -> ViewRecord:
    """Record that `viewer` opened `obj` (a card, a form, a PDF)."""
    object_type, object_id, object_repr = _describe(obj)
    return ViewRecord.objects.create(
        organization=organization,
        viewer=viewer,
        what=what,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
    )


def views_of(*, organization: Organization, obj: models.Model) -> models.QuerySet[ViewRecord]:
    """Who looked at `obj`, newest first."""
    object_type, object_id, _ = _describe(obj)
    return (
        ViewRecord.objects.for_organization(organization)
        .filter(object_type=object_type, object_id=object_id)
        .select_related("viewer")
    )
