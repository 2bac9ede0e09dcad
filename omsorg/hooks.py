"""What apps above omsorg tell it about a senior's time (the Bli kjent clash check).

omsorg sits below visits in the layers, so it cannot read visits itself: visits
registers a `BusyCheck` in its ``AppConfig.ready()`` and `omsorg.meetings` asks every
registered check when a meeting is booked or moved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class BusyCheck(Protocol):
    def __call__(self, *, senior_id: int, starts_at: datetime, ends_at: datetime) -> list[str]:
        """What else the senior has between `starts_at` and `ends_at`, one line each."""
        ...


BUSY_CHECKS: list[BusyCheck] = []


def on_senior_busy(check: BusyCheck) -> BusyCheck:
    """Register `check(senior_id=, starts_at=, ends_at=)` for the meeting clash check."""
    if check not in BUSY_CHECKS:
        BUSY_CHECKS.append(check)
    return check


def senior_busy(*, senior_id: int, starts_at: datetime, ends_at: datetime) -> list[str]:
    """Every registered check's clashes for the senior in that time, in order."""
    found: list[str] = []
    for check in BUSY_CHECKS:
        found.extend(check(senior_id=senior_id, starts_at=starts_at, ends_at=ends_at))
    return found
