"""The expansion as a Celery task and a management command, inside the tenant."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from tests.factories import VisitPlanFactory
from tests.training.helpers import clear_for_assignment
from tests.visits.conftest import oslo
from visits import tasks
from visits.models import Visit

pytestmark = pytest.mark.django_db
NOW = oslo(2026, 3, 16, 8, 0)


@pytest.fixture
def plans(world, planning):
    """A plan in each organization, written directly (no visits yet)."""
    clear_for_assignment(world.other.senior_a)
    first = dt.date(2026, 3, 1)
    home = VisitPlanFactory(
        recipient=planning.recipient, senior=world.home.senior_a, first_date=first
    )
    other = VisitPlanFactory(
        recipient__department=world.other.dept_a,
        recipient__status="active",
        senior=world.other.senior_a,
        first_date=first,
    )
    return home, other


@time_machine.travel(NOW, tick=False)
def test_the_task_expands_one_organization(world, plans):
    home, other = plans
    result = tasks.expand_plans(world.home.organization.pk)
    assert result["created"] == 8
    assert Visit.objects.filter(plan=home).count() == 8
    assert not Visit.objects.filter(plan=other).exists()
    assert tasks.expand_plans(world.home.organization.pk)["created"] == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security")
@time_machine.travel(NOW, tick=False)
def test_the_task_works_through_the_database_wall(world, plans, settings):
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {settings.DATABASE_APP_ROLE}")
    try:
        result = tasks.expand_plans(world.home.organization.pk)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert result["created"] == 8


@time_machine.travel(NOW, tick=False)
def test_the_command_expands_from_a_date(world, plans):
    out = StringIO()
    call_command("expand_visits", "--date", "2026-04-01", stdout=out)
    assert "8 created" in out.getvalue()
    first = Visit.objects.filter(plan=plans[0]).order_by("starts_at").first()
    assert first.starts_at == oslo(2026, 4, 7, 11, 0)
    out = StringIO()
    call_command("expand_visits", "--date", "2026-04-01", stdout=out)
    assert "0 created" in out.getvalue()
