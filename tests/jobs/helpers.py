"""Job helpers for the whole suite: rows for the database-wall test."""

from __future__ import annotations

from typing import Any

from seniorene.jobs.models import JobClaim, JobRun, JobSettings


def populate_jobs_tables(world: Any) -> None:
    """A row in each jobs table, for tests/isolation/test_database_wall.py."""
    organization = world.home.organization
    JobRun.objects.create(organization=organization, job="reminders")
    JobClaim.objects.create(organization=organization, key="nudge:senior:1")
    JobSettings.objects.create(organization=organization, late_start_minutes=45)
