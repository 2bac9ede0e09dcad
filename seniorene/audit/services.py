"""Write the audit trail; every service that changes something calls `audit_record`."""

from __future__ import annotations

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
