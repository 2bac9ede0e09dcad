"""Relatives told when a visit's plan changes: cancelled, moved, or it did not happen.

Interface fixed for issue 21; the body is filled in by the change-notice work (helper h2).
Every service that cancels, moves or marks a visit as not happened calls
`visit_change_notify` inside its transaction; the SMS are queued after commit, once per
visit and change (R8), consent checked at send time (R5), quiet hours respected.
"""

from __future__ import annotations

from enum import StrEnum

from visits.models import Visit


class VisitChange(StrEnum):
    CANCELLED = "cancelled"
    MOVED = "moved"
    NOT_HAPPENED = "not_happened"


def visit_change_notify(*, visit: Visit, change: VisitChange) -> None:
    """Queue (on commit) one SMS per relative who should hear of `change` to `visit`."""
    return None  # h2 fills this in before it lands (until then: nobody is told)
