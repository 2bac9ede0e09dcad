"""Plans become visits in Oslo civil time (R10), idempotently, and edits touch only
future visits nobody has changed by hand."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from customers.models import Assignment
from omsorg.models import ServiceArea
from tests.factories import IntakeInterviewFactory, MembershipFactory
from tests.visits.conftest import OSLO, make_plan, oslo
from visits.changes import visit_cancel, visit_move
from visits.civil_time import local_datetime, plan_dates, week_start
from visits.models import CancelKind, Visit, VisitServiceArea, VisitStatus
from visits.planning import PlanFields, plan_update, plans_expand

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def local_times(visits):
    return [v.starts_at.astimezone(OSLO).strftime("%Y-%m-%d %a %H:%M") for v in visits]


@time_machine.travel(oslo(2026, 3, 16, 8, 0), tick=False)
def test_a_weekly_visit_stays_at_eleven_across_the_march_change(world, planning, settings):
    settings.VISIT_HORIZON_WEEKS = 4
    plan = make_plan(world, planning.recipient, weekdays=(1,), first_date=dt.date(2026, 3, 10))
    visits = list(Visit.objects.filter(plan=plan).order_by("starts_at"))
    assert local_times(visits) == [
        "2026-03-17 Tue 11:00",
        "2026-03-24 Tue 11:00",
        "2026-03-31 Tue 11:00",  # summer time since Sunday 29 March
        "2026-04-07 Tue 11:00",
    ]
    # Stored as UTC: one hour earlier in UTC after the change, the same local time.
    assert [v.starts_at.astimezone(UTC).hour for v in visits] == [10, 10, 9, 9]


@time_machine.travel(oslo(2026, 10, 12, 8, 0), tick=False)
def test_a_weekly_visit_stays_at_eleven_across_the_october_change(world, planning, settings):
    settings.VISIT_HORIZON_WEEKS = 4
    plan = make_plan(world, planning.recipient, weekdays=(0, 4), first_date=dt.date(2026, 10, 1))
    visits = list(Visit.objects.filter(plan=plan).order_by("starts_at"))
    assert {t[-5:] for t in local_times(visits)} == {"11:00"}
    assert [v.starts_at.astimezone(UTC).hour for v in visits] == [9, 9, 9, 9, 10, 10, 10, 10]
    assert local_times(visits)[4] == "2026-10-26 Mon 11:00"  # the day after the change


@time_machine.travel(oslo(2026, 3, 16, 8, 0), tick=False)
def test_expanding_twice_gives_the_same_visits(world, planning):
    plan = make_plan(world, planning.recipient, weekdays=(1, 3), areas=(planning.area,))
    first = list(Visit.objects.values_list("pk", "starts_at", "status").order_by("pk"))
    again = plans_expand(organization_id=world.home.organization.pk)
    again_too = plans_expand(organization_id=world.home.organization.pk)
    assert not again
    assert not again_too
    assert list(Visit.objects.values_list("pk", "starts_at", "status").order_by("pk")) == first
    assert len(first) == 2 * 8  # two weekdays, VISIT_HORIZON_WEEKS = 8
    assert VisitServiceArea.objects.filter(visit__plan=plan).count() == len(first)


@time_machine.travel(oslo(2026, 3, 16, 8, 0), tick=False)
def test_the_horizon_rolls_forward_with_the_date(world, planning, settings):
    settings.VISIT_HORIZON_WEEKS = 2
    make_plan(world, planning.recipient, weekdays=(1,))
    assert Visit.objects.count() == 2
    with time_machine.travel(oslo(2026, 3, 23, 8, 0), tick=False):
        result = plans_expand(organization_id=world.home.organization.pk)
    assert result.created == 1
    assert local_times(Visit.objects.order_by("starts_at"))[-1] == "2026-03-31 Tue 11:00"


@time_machine.travel(oslo(2026, 3, 16, 8, 0), tick=False)
def test_every_second_week_keeps_the_rhythm_of_the_first_date(world, planning):
    make_plan(
        world, planning.recipient, weekdays=(3,), every_n_weeks=2, first_date=dt.date(2026, 3, 5)
    )
    days = [t[:10] for t in local_times(Visit.objects.order_by("starts_at"))]
    assert days == ["2026-03-19", "2026-04-02", "2026-04-16", "2026-04-30"]


@time_machine.travel(oslo(2026, 3, 16, 8, 0), tick=False)
def test_the_last_date_ends_the_series(world, planning):
    make_plan(world, planning.recipient, weekdays=(1,), last_date=dt.date(2026, 3, 31))
    assert len(local_times(Visit.objects.all())) == 3


@given(
    weekdays=st.sets(st.integers(0, 6), min_size=1),
    every=st.integers(1, 4),
    first=st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    offset=st.integers(0, 400),
    length=st.integers(0, 120),
)
def test_plan_dates_fall_on_the_weekdays_in_the_rhythm(weekdays, every, first, offset, length):
    start = first + dt.timedelta(days=offset - 200)
    end = start + dt.timedelta(days=length)
    days = plan_dates(
        weekdays=weekdays,
        every_n_weeks=every,
        first_date=first,
        last_date=None,
        start=start,
        end=end,
    )
    anchor = week_start(first)
    assert days == sorted(set(days))
    for day in days:
        assert max(start, first) <= day <= end
        assert day.weekday() in weekdays
        assert ((week_start(day) - anchor).days // 7) % every == 0
    # Splitting the window in two gives the same dates (what a rolling horizon relies on).
    middle = start + dt.timedelta(days=length // 2)
    parts = plan_dates(
        weekdays=weekdays,
        every_n_weeks=every,
        first_date=first,
        last_date=None,
        start=start,
        end=middle,
    ) + plan_dates(
        weekdays=weekdays,
        every_n_weeks=every,
        first_date=first,
        last_date=None,
        start=middle + dt.timedelta(days=1),
        end=end,
    )
    assert parts == days


@given(day=st.dates(dt.date(2024, 1, 1), dt.date(2030, 12, 31)), hour=st.integers(7, 21))
def test_local_datetime_keeps_the_wall_clock_time(day, hour):
    when = local_datetime(day, dt.time(hour, 30))
    assert when.astimezone(OSLO).time() == dt.time(hour, 30)
    assert when.astimezone(OSLO).date() == day


# --- Editing a plan ----------------------------------------------------------------


@time_machine.travel(oslo(2026, 3, 16, 8, 0), tick=False)
def test_editing_a_plan_changes_only_future_untouched_visits(world, planning):
    leader = world.home.leader_a
    plan = make_plan(world, planning.recipient, weekdays=(1,))
    visits = list(Visit.objects.filter(plan=plan).order_by("starts_at"))
    moved, cancelled, logged, untouched = visits[0], visits[1], visits[2], visits[3]
    visit_move(visit=moved, by=leader, starts_at=oslo(2026, 3, 18, 14, 0))
    visit_cancel(visit=cancelled, by=leader, kind=CancelKind.CUSTOMER, reason="Syk")
    Visit.objects.filter(pk=logged.pk).update(status=VisitStatus.LOGGED)

    plan_update(
        plan=plan,
        by=leader,
        fields=PlanFields(
            senior=world.home.senior_a,
            weekdays=(1,),
            start_time=dt.time(13, 15),
            duration_minutes=90,
            first_date=plan.first_date,
        ),
    )
    rows = {v.pk: v for v in Visit.objects.filter(plan=plan)}
    assert rows[moved.pk].status == VisitStatus.MOVED
    assert rows[moved.pk].starts_at == oslo(2026, 3, 18, 14, 0)
    assert rows[cancelled.pk].status == VisitStatus.CANCELLED
    assert rows[cancelled.pk].cancel_reason == "Syk"
    assert rows[logged.pk].status == VisitStatus.LOGGED
    assert rows[logged.pk].starts_at == logged.starts_at
    assert rows[untouched.pk].starts_at == oslo(2026, 4, 7, 13, 15)
    assert rows[untouched.pk].duration_minutes == 90
    assert len(rows) == 8  # no duplicates made for the changed dates


@time_machine.travel(oslo(2026, 3, 16, 8, 0), tick=False)
def test_moving_the_weekday_cancels_the_old_days_and_makes_the_new(world, planning):
    plan = make_plan(world, planning.recipient, weekdays=(1,))
    fields = dict(senior=world.home.senior_a, start_time=dt.time(11), first_date=plan.first_date)
    plan_update(plan=plan, by=world.home.leader_a, fields=PlanFields(weekdays=(3,), **fields))
    live = Visit.objects.filter(plan=plan).exclude(status=VisitStatus.CANCELLED)
    assert {v.starts_at.astimezone(OSLO).weekday() for v in live} == {3}
    old = Visit.objects.filter(plan=plan, status=VisitStatus.CANCELLED)
    assert old.count() == 8
    assert set(old.values_list("cancel_kind", flat=True)) == {CancelKind.PLAN_CHANGED}
    # Back to Tuesday: the same rows come back, nothing is duplicated.
    plan_update(plan=plan, by=world.home.leader_a, fields=PlanFields(weekdays=(1,), **fields))
    assert Visit.objects.filter(plan=plan, status=VisitStatus.PLANNED).count() == 8
    assert Visit.objects.filter(plan=plan).count() == 16


@time_machine.travel(oslo(2026, 3, 16, 8, 0), tick=False)
def test_a_visit_earlier_today_is_neither_made_nor_changed(world, planning):
    plan = make_plan(world, planning.recipient, weekdays=(0,), start_time=dt.time(7, 30))
    assert oslo(2026, 3, 16, 7, 30) not in set(
        Visit.objects.filter(plan=plan).values_list("starts_at", flat=True)
    )


# --- R2 and R6 ----------------------------------------------------------------------


def test_a_senior_without_training_cannot_get_a_plan(world, planning):
    untrained = MembershipFactory(
        organization=world.home.organization, role="senior", departments=[world.home.dept_a]
    )
    with pytest.raises(ValidationError, match="opplæringen"):
        make_plan(world, planning.recipient, senior=untrained)
    assert not Visit.objects.exists()


def test_changing_the_plans_senior_checks_training(world, planning):
    plan = make_plan(world, planning.recipient)
    untrained = MembershipFactory(
        organization=world.home.organization, role="senior", departments=[world.home.dept_a]
    )
    with pytest.raises(ValidationError, match="opplæringen"):
        plan_update(
            plan=plan,
            by=world.home.leader_a,
            fields=PlanFields(
                senior=untrained, weekdays=(1,), start_time=dt.time(11), first_date=plan.first_date
            ),
        )
    plan.refresh_from_db()
    assert plan.senior == world.home.senior_a


def test_a_new_plan_senior_is_assigned_to_the_recipient(world, planning):
    make_plan(world, planning.recipient, senior=world.home.senior_a2)
    assert Assignment.objects.filter(
        recipient=planning.recipient, senior=world.home.senior_a2
    ).exists()


def test_training_visits_need_a_completed_interview_with_all_criteria(world, planning):
    training = ServiceArea.objects.create(
        organization=world.home.organization, name="Kvalitetsbesøk med trening", is_training=True
    )
    with pytest.raises(ValidationError, match="Bli kjent"):
        make_plan(world, planning.recipient, areas=(training,))
    interview = IntakeInterviewFactory(recipient=planning.recipient, senior=world.home.senior_a)
    interview.criterion_answers.update(met=True)
    interview.status = "completed"
    interview.outcome = "good_match"
    interview.completed_at = interview.starts_at
    interview.save()
    plan = make_plan(world, planning.recipient, areas=(training,))
    assert list(plan.service_areas.all()) == [training]


def test_a_plan_for_an_ended_recipient_is_refused(world, planning):
    planning.recipient.status = "ended"
    planning.recipient.save()
    with pytest.raises(ValidationError, match="avsluttet"):
        make_plan(world, planning.recipient)
