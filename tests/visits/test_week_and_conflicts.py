"""The leader's week: every visit with its state, conflicts and holidays shown (never
resolved silently), and a query count that does not grow with the visits."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from customers.models import RecipientStatus
from tests.factories import CareRecipientFactory, VisitFactory
from tests.visits.conftest import make_plan, oslo
from visits.changes import visit_cancel
from visits.conflicts import visit_conflicts
from visits.models import CancelKind, Visit, VisitStatus
from visits.planning import PlanFields, plan_update

pytestmark = pytest.mark.django_db
NOW = oslo(2026, 3, 30, 8, 0)  # Monday of Easter week 2026
WEEK = "/besok/uke/?uke=2026-03-30"


def grid(client, url=WEEK) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_week_shows_every_visit_with_recipient_and_state(world, client_for, planning):
    plan = make_plan(world, planning.recipient, weekdays=(0, 2))
    first, second = Visit.objects.filter(plan=plan).order_by("starts_at")[:2]
    visit_cancel(visit=second, by=world.home.leader_a, kind="customer", reason="Bortreist")
    html = grid(client_for(world.home.leader_a))
    assert world.home.senior_a.user.name in html
    assert world.home.senior_a2.user.name in html  # a row for every senior of the department
    assert html.count(planning.recipient.name) == 2
    assert "Planlagt" in html
    assert "Avlyst" in html
    assert f"/besok/{first.pk}/" in html


@time_machine.travel(NOW, tick=False)
def test_public_holidays_are_shown_and_flagged(world, client_for, planning):
    make_plan(world, planning.recipient, weekdays=(3,))  # Maundy Thursday, 2 April 2026
    html = grid(client_for(world.home.leader_a))
    assert "Skjærtorsdag" in html
    assert "Helligdag: Skjærtorsdag" in html
    visit = Visit.objects.order_by("starts_at").first()
    assert visit.status == VisitStatus.PLANNED  # flagged, not moved or cancelled


@time_machine.travel(NOW, tick=False)
def test_a_senior_with_two_visits_at_once_is_flagged_on_both(world, client_for, planning):
    other = CareRecipientFactory(department=world.home.dept_a, status=RecipientStatus.ACTIVE)
    make_plan(world, planning.recipient, weekdays=(1,), start_time=dt.time(11))
    make_plan(world, other, weekdays=(1,), start_time=dt.time(11, 30))
    tuesday = list(Visit.objects.filter(starts_at__date=dt.date(2026, 3, 31)).order_by("starts_at"))
    conflicts = visit_conflicts(tuesday)
    assert [c.kind for c in conflicts[tuesday[0].pk]] == ["double_booked"]
    assert [c.kind for c in conflicts[tuesday[1].pk]] == ["double_booked"]
    assert conflicts[tuesday[0].pk][0].text == "Senioren har et annet besøk 11.30–12.30"
    html = grid(client_for(world.home.leader_a))
    assert html.count("Senioren har et annet besøk") == 2
    assert Visit.objects.filter(status=VisitStatus.PLANNED).count() == Visit.objects.count()


@time_machine.travel(NOW, tick=False)
def test_a_pile_up_of_clashes_is_one_line_with_the_count_and_the_span(world, client_for, planning):
    make_plan(world, planning.recipient, weekdays=(1,), start_time=dt.time(11))
    for minute in (0, 15, 30):
        other = CareRecipientFactory(department=world.home.dept_a, status=RecipientStatus.ACTIVE)
        make_plan(world, other, weekdays=(1,), start_time=dt.time(11, minute))
    tuesday = list(Visit.objects.filter(starts_at__date=dt.date(2026, 3, 31)).order_by("starts_at"))
    conflicts = visit_conflicts(tuesday)
    assert len(tuesday) == 4
    for visit in tuesday:
        assert [c.text for c in conflicts[visit.pk]] == [
            "Senioren har 3 andre besøk samtidig, 11.00–12.30"
            if visit.starts_at.minute != 30
            else "Senioren har 3 andre besøk samtidig, 11.00–12.15"
        ]
    html = grid(client_for(world.home.leader_a))
    assert html.count("andre besøk samtidig") == 4
    assert "Senioren har et annet besøk" not in html


@time_machine.travel(NOW, tick=False)
def test_a_double_booking_in_another_department_is_flagged_without_naming_it(
    world, client_for, planning
):
    senior = world.home.senior_a
    senior.set_departments([world.home.dept_a, world.home.dept_b])
    elsewhere = CareRecipientFactory(department=world.home.dept_b, name="Bortenfor Bruker")
    VisitFactory(recipient=elsewhere, senior=senior, starts_at=oslo(2026, 3, 31, 11, 15))
    make_plan(world, planning.recipient, weekdays=(1,))
    html = grid(client_for(world.home.leader_a))
    assert "Senioren har et annet besøk 11.15–12.15" in html
    assert "Bortenfor Bruker" not in html


@time_machine.travel(NOW, tick=False)
def test_a_visit_outside_the_seniors_availability_is_flagged(world, client_for, planning):
    client = client_for(world.home.leader_a)
    response = client.post(
        f"/seniorer/{world.home.senior_a.pk}/tilgjengelighet/",
        {"from_1": "09:00", "to_1": "12:00", "from_2": "09:00", "to_2": "15:00"},
    )
    assert response.status_code == 302
    make_plan(world, planning.recipient, weekdays=(1, 2), start_time=dt.time(11, 30))
    visits = list(Visit.objects.filter(starts_at__lt=oslo(2026, 4, 2, 0, 0)).order_by("starts_at"))
    conflicts = visit_conflicts(visits)
    assert [c.kind for c in conflicts[visits[0].pk]] == ["outside_availability"]  # ends 12.30
    assert visits[1].pk not in conflicts  # Wednesday 11.30–12.30 is within 09–15
    assert "Utenfor seniorens oppgitte tid" in grid(client)


def test_availability_needs_both_ends(world, client_for, planning):
    client = client_for(world.home.leader_a)
    response = client.post(
        f"/seniorer/{world.home.senior_a.pk}/tilgjengelighet/", {"from_0": "09:00"}
    )
    assert response.status_code == 200
    assert "Fyll inn både fra og til" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_senior_without_stated_availability_has_no_availability_conflicts(world, planning):
    make_plan(world, planning.recipient, weekdays=(4,), start_time=dt.time(20))
    kinds = {c.kind for cs in visit_conflicts(list(Visit.objects.all())).values() for c in cs}
    assert kinds == {"holiday"}  # Good Friday and 1 May; nothing about availability


@time_machine.travel(NOW, tick=False)
def test_the_filters_and_the_next_week(world, client_for, planning):
    plan = make_plan(world, planning.recipient, weekdays=(0, 1))
    cancelled = Visit.objects.filter(plan=plan).order_by("starts_at").first()
    visit_cancel(visit=cancelled, by=world.home.leader_a, kind="senior", reason="Syk")
    client = client_for(world.home.leader_a)
    dept = world.home.dept_a.pk
    only_cancelled = grid(client, f"{WEEK}&avdeling={dept}&vis=cancelled")
    assert only_cancelled.count(planning.recipient.name) == 1
    only_open = grid(client, f"{WEEK}&avdeling={dept}&vis=open")
    assert only_open.count(planning.recipient.name) == 1
    next_week = grid(client, f"/besok/uke/?avdeling={dept}&uke=2026-04-06")
    assert "Uke 15" in next_week
    # Easter Monday keeps its visit: flagged for the leader, not dropped.
    assert next_week.count(planning.recipient.name) == 2
    assert "Helligdag: Andre påskedag" in next_week
    other_senior = grid(client, f"{WEEK}&avdeling={dept}&senior={world.home.senior_a2.pk}")
    assert planning.recipient.name not in other_senior


@time_machine.travel(NOW, tick=False)
def test_visits_the_system_cancelled_after_a_plan_change_are_hidden_by_default(
    world, client_for, planning
):
    plan = make_plan(world, planning.recipient, weekdays=(0,))
    plan_update(
        plan=plan,
        by=world.home.leader_a,
        fields=PlanFields(
            senior=world.home.senior_a,
            weekdays=(1,),
            start_time=dt.time(11),
            first_date=plan.first_date,
        ),
    )
    assert Visit.objects.filter(cancel_kind=CancelKind.PLAN_CHANGED).exists()
    html = grid(client_for(world.home.leader_a))
    assert html.count(planning.recipient.name) == 1


@time_machine.travel(NOW, tick=False)
def test_a_leader_sees_only_own_departments_and_the_lead_sees_all(world, client_for, planning):
    in_b = CareRecipientFactory(department=world.home.dept_b, name="Bærum Bruker")
    VisitFactory(recipient=in_b, senior=world.home.senior_b, starts_at=oslo(2026, 3, 31, 10, 0))
    leader_a = grid(client_for(world.home.leader_a), f"{WEEK}&avdeling={world.home.dept_b.pk}")
    assert "Bærum Bruker" not in leader_a  # falls back to the leader's own department
    lead = grid(client_for(world.home.lead), f"{WEEK}&avdeling={world.home.dept_b.pk}")
    assert "Bærum Bruker" in lead


def fill_week(world, count: int) -> None:
    """`count` recipients in department A, each with a visit on Tuesday by a senior of A."""
    seniors = [world.home.senior_a, world.home.senior_a2]
    for i in range(count):
        recipient = CareRecipientFactory(department=world.home.dept_a)
        VisitFactory(
            recipient=recipient,
            senior=seniors[i % 2],
            starts_at=oslo(2026, 3, 31, 8, 0) + dt.timedelta(minutes=30 * i),
        )


@time_machine.travel(NOW, tick=False)
def test_the_week_page_query_count_does_not_grow_with_the_visits(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.home.leader_a)
    url = f"{WEEK}&avdeling={world.home.dept_a.pk}"
    fill_week(world, 20)
    # Session, user, tenant and MFA, then departments, seniors, visits, the week's Bli
    # kjent meetings, the seniors' (and recipients') other visits and meetings, their
    # availability and their absences (8).
    with django_assert_max_num_queries(17) as few:
        assert client.get(url).content.decode().count("/besok/") >= 20
    fill_week(world, 20)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        assert client.get(url).content.decode().count("/besok/") >= 40
    assert len(many.captured_queries) == len(few.captured_queries)


@time_machine.travel(NOW, tick=False)
def test_a_senior_from_another_department_gets_a_row_of_their_own(world, client_for, planning):
    home = world.home
    VisitFactory(
        recipient=planning.recipient, senior=home.senior_b, starts_at=oslo(2026, 3, 31, 11)
    )
    html = grid(client_for(home.leader_a))
    row = html.split(home.senior_b.user.name, 1)[1].split("</tr>", 1)[0]
    assert "fra annen avdeling" in row
    assert planning.recipient.name in row
    assert "11.00" in row
