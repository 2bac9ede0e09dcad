"""A senior's availability: the weekdays and times they can take visits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from seniorene.accounts.models import Membership
from seniorene.audit.services import audit_record
from visits.models import (
    WEEKDAYS,
    SeniorAvailability,
)


@transaction.atomic
def availability_set(
    *, membership: Membership, by: Membership, windows: Iterable[tuple[int, time, time]]
) -> list[SeniorAvailability]:
    """Replace the senior's stated availability with `windows` (weekday, from, to)."""
    rows = []
    for weekday, start, end in windows:
        if not 0 <= weekday <= 6:
            raise ValidationError(_("Ugyldig ukedag."))
        if start >= end:
            raise ValidationError(
                _("%(day)s: «fra» må være før «til».") % {"day": dict(WEEKDAYS)[weekday]}
            )
        rows.append(
            SeniorAvailability(
                organization_id=membership.organization_id,
                membership=membership,
                weekday=weekday,
                start_time=start,
                end_time=end,
            )
        )
    SeniorAvailability.objects.filter(membership=membership).delete()
    SeniorAvailability.objects.bulk_create(rows)
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="availability.set",
        obj=membership,
        details={"windows": len(rows)},
    )
    return rows
