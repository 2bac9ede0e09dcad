"""Issue 19: a plan's clashes are shown in the form before anything is saved, with a
"Lagre likevel" to confirm; without clashes a plan is saved in one click, as before."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from omsorg.models import InterviewStatus
from seniorene.audit.models import AuditEvent
from tests.factories import CareRecipientFactory, IntakeInterviewFactory, VisitFactory
from tests.visits.conftest import make_plan, oslo, plan_post
from visits.models import SeniorAbsence, Visit, VisitPlan

pytestmark = pytest.mark.django_db
NOW = oslo(2026, 3, 16, 8, 0)  # a Monday
URL = "/brukere/{}/besok/ny-plan/"


def fingerprint(html: str) -> str:
    found = re.search(r'name="fingerprint" value="([0-9a-f]+)"', html)
    assert found is not None
    return found.group(1)


def clash_rows(html: str) -> list[str]:
    # The top of the long form says it was not saved and leads down to the list.
    top = html.split('<form method="post" class="stack" novalidate>', 1)[0]
    assert "Planen er ikke lagret ennå:" in top
    assert 'href="#clashes"' in top
    section = html.split('id="clashes"', 1)[1].split("</section>", 1)[0]
    return re.findall(r"<tr>\s*<td>.*?</tr>", section, flags=re.S)


def post_plan(world, **overrides) -> dict:
    # Mondays 10.00–11.00 for three weeks: 16 (later today), 23 and 30 March.
    data = plan_post(
        world, weekdays=["0"], start_time="10:00", first_date="2026-03-16", last_date="2026-03-30"
    )
    data.update(overrides)
    return data


@time_machine.travel(NOW, tick=False)
def test_without_clashes_the_plan_is_saved_at_once(world, client_for, planning):
    response = client_for(world.home.leader_a).post(
        URL.format(planning.recipient.pk), post_plan(world)
    )
    assert response.status_code == 302
    assert Visit.objects.filter(plan__recipient=planning.recipient).count() == 3


@time_machine.travel(NOW, tick=False)
def test_clashes_with_a_visit_a_meeting_and_an_absence_are_listed_and_nothing_is_written(
    world, client_for, planning
):
    senior = world.home.senior_a
    other = CareRecipientFactory(department=world.home.dept_a, status="active")
    VisitFactory(recipient=other, senior=senior, starts_at=oslo(2026, 3, 16, 10, 30))
    IntakeInterviewFactory(
        recipient=other,
        senior=senior,
        starts_at=oslo(2026, 3, 23, 9, 30),
        duration_minutes=60,
        status=InterviewStatus.BOOKED,
    )
    SeniorAbsence.objects.create(
        organization=world.home.organization,
        membership=senior,
        starts_on=dt.date(2026, 3, 30),
        ends_on=dt.date(2026, 4, 3),
        created_by=senior.user,
    )
    visits_before = Visit.objects.count()
    audits_before = AuditEvent.objects.count()
    client = client_for(world.home.leader_a)
    response = client.post(URL.format(planning.recipient.pk), post_plan(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 av besøkene planen lager, kolliderer med noe" in html
    rows = clash_rows(html)
    assert len(rows) == 3
    assert "mandag 16. mars 2026" in rows[0]
    assert "10.00–11.00" in rows[0]
    assert "Senioren har et annet besøk 10.30–11.30" in rows[0]
    assert "mandag 23. mars 2026" in rows[1]
    assert "Senioren har et Bli kjent-møte 09.30–10.30" in rows[1]
    assert "mandag 30. mars 2026" in rows[2]
    assert "Senioren er borte 30. mars–3. april" in rows[2]
    assert "Lagre likevel" in html
    assert not VisitPlan.objects.exists()
    assert Visit.objects.count() == visits_before
    assert AuditEvent.objects.count() == audits_before
    # Posting again without the tick: still nothing.
    again = client.post(URL.format(planning.recipient.pk), post_plan(world))
    assert again.status_code == 200
    assert not VisitPlan.objects.exists()
    # A tick with a stale fingerprint (the clashes changed since) is not a confirmation.
    stale = client.post(
        URL.format(planning.recipient.pk),
        post_plan(world, confirm_clashes="on", fingerprint="0000000000000000"),
    )
    assert stale.status_code == 200
    assert not VisitPlan.objects.exists()
    # Confirmed: saved, clashes and all.
    done = client.post(
        URL.format(planning.recipient.pk),
        post_plan(world, confirm_clashes="on", fingerprint=fingerprint(html)),
    )
    assert done.status_code == 302
    plan = VisitPlan.objects.get()
    assert Visit.objects.filter(plan=plan).count() == 3
    assert AuditEvent.objects.filter(action="plan.created").count() == 1


@time_machine.travel(NOW, tick=False)
def test_the_preview_query_count_does_not_grow_with_the_dates(
    world, client_for, planning, django_assert_max_num_queries
):
    senior = world.home.senior_a
    other = CareRecipientFactory(department=world.home.dept_a, status="active")
    VisitFactory(recipient=other, senior=senior, starts_at=oslo(2026, 3, 16, 10, 30))
    client = client_for(world.home.leader_a)
    url = URL.format(planning.recipient.pk)
    client.post(url, post_plan(world))  # warm the session
    with django_assert_max_num_queries(40) as short:
        client.post(url, post_plan(world))
    with django_assert_max_num_queries(len(short.captured_queries)):
        client.post(url, post_plan(world, weekdays=["0", "1", "2", "3", "4"], last_date=""))
    assert not VisitPlan.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_editing_a_plan_into_a_clash_asks_first(world, client_for, planning):
    plan = make_plan(world, planning.recipient, weekdays=(1,), start_time=dt.time(11))
    other = CareRecipientFactory(department=world.home.dept_a, status="active")
    # The senior's other recipient on Wednesdays at 11.
    make_plan(world, other, weekdays=(2,), start_time=dt.time(11))
    client = client_for(world.home.leader_a)
    url = f"/besoksplaner/{plan.pk}/"
    # Saving the plan as it is: its own visits are no clash.
    same = client.post(url, plan_post(world, weekdays=["1"], first_date=plan.first_date))
    assert same.status_code == 302
    tuesdays = set(Visit.objects.filter(plan=plan).values_list("starts_at", flat=True))
    moved = plan_post(world, weekdays=["2"], first_date=plan.first_date)
    response = client.post(url, moved)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Senioren har et annet besøk 11.00–12.00" in html
    assert set(Visit.objects.filter(plan=plan).values_list("starts_at", flat=True)) == tuesdays
    plan.refresh_from_db()
    assert plan.weekday_list == [1]
    moved.update(confirm_clashes="on", fingerprint=fingerprint(html))
    assert client.post(url, moved).status_code == 302
    plan.refresh_from_db()
    assert plan.weekday_list == [2]
