"""The leader makes and changes plans in the browser."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from omsorg.models import InterviewStatus
from seniorene.audit.models import ViewRecord
from tests.factories import IntakeInterviewFactory, MembershipFactory
from tests.visits.conftest import make_plan, oslo, plan_post
from visits.models import Visit, VisitPlan, VisitStatus

pytestmark = pytest.mark.django_db
NOW = oslo(2026, 3, 16, 8, 0)


@time_machine.travel(NOW, tick=False)
def test_a_leader_makes_a_plan_and_sees_its_visits(world, client_for, planning):
    client = client_for(world.home.leader_a)
    url = f"/brukere/{planning.recipient.pk}/besok/ny-plan/"
    data = plan_post(world, first_date="2026-03-16", service_areas=[planning.area.pk])
    # Thursday 2 April is Maundy Thursday: shown before saving (issue 19), then confirmed.
    asked = client.post(url, data).content.decode()
    assert "Helligdag: Skjærtorsdag" in asked
    assert not VisitPlan.objects.exists()
    fingerprint = asked.split('name="fingerprint" value="', 1)[1].split('"', 1)[0]
    data.update(confirm_clashes="on", fingerprint=fingerprint)
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Besøksplanen er lagret: 16 kommende besøk." in html
    plan = VisitPlan.objects.get()
    assert plan.weekday_list == [1, 3]
    assert plan.created_by == world.home.leader_a.user
    assert "tirsdag og torsdag kl. 11.00, hver uke" in html
    assert Visit.objects.filter(plan=plan).count() == 16


@time_machine.travel(NOW, tick=False)
def test_the_form_suggests_the_frequency_from_the_interview_and_records_the_reading(
    world, client_for, planning
):
    interview = IntakeInterviewFactory(recipient=planning.recipient, senior=world.home.senior_a)
    interview.q9_frequency = "Annenhver torsdag"
    interview.status = InterviewStatus.COMPLETED
    interview.completed_at = NOW
    interview.save()
    html = (
        client_for(world.home.leader_a)
        .get(f"/brukere/{planning.recipient.pk}/besok/ny-plan/")
        .content.decode()
    )
    assert "«Annenhver torsdag»" in html
    assert 'value="3" id="id_weekdays_3" checked' in html  # Thursday ticked
    assert '<option value="2" selected>' in html  # every other week
    assert ViewRecord.objects.filter(
        viewer=world.home.leader_a.user, what__contains="spørsmål 9"
    ).exists()


def test_untrained_seniors_are_listed_with_what_they_lack(world, client_for, planning):
    untrained = MembershipFactory(
        organization=world.home.organization, role="senior", departments=[world.home.dept_a]
    )
    html = (
        client_for(world.home.leader_a)
        .get(f"/brukere/{planning.recipient.pk}/besok/ny-plan/")
        .content.decode()
    )
    assert "Seniorer som ikke kan velges ennå" in html
    assert untrained.user.name in html
    response = client_for(world.home.leader_a).post(
        f"/brukere/{planning.recipient.pk}/besok/ny-plan/",
        plan_post(world, senior=untrained.pk),
    )
    assert response.status_code == 200
    assert not VisitPlan.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_leader_edits_and_ends_a_plan(world, client_for, planning):
    plan = make_plan(world, planning.recipient, weekdays=(1,))
    client = client_for(world.home.leader_a)
    page = client.get(f"/besoksplaner/{plan.pk}/").content.decode()
    assert 'value="11:00"' in page
    response = client.post(
        f"/besoksplaner/{plan.pk}/",
        plan_post(world, weekdays=["1"], start_time="12:00", first_date=plan.first_date),
    )
    assert response.status_code == 302
    assert {
        v.starts_at.astimezone(dt.UTC).hour
        for v in Visit.objects.filter(plan=plan, status=VisitStatus.PLANNED)
    } == {11, 10}  # 12.00 Oslo before and after the March change
    response = client.post(f"/besoksplaner/{plan.pk}/avslutt/")
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.ended_at is not None
    assert not Visit.objects.filter(plan=plan, status=VisitStatus.PLANNED).exists()


def test_the_plan_list_shows_the_departments_recipients(world, client_for, planning):
    make_plan(world, planning.recipient)
    html = client_for(world.home.leader_a).get("/besok/planer/").content.decode()
    assert planning.recipient.name in html
    assert "tirsdag kl. 11.00, hver uke" in html
    assert (
        planning.recipient.name
        not in client_for(world.home.leader_b).get("/besok/planer/").content.decode()
    )


def test_a_senior_cannot_plan(world, client_for, planning):
    client = client_for(world.home.senior_a)
    assert client.get(f"/brukere/{planning.recipient.pk}/besok/ny-plan/").status_code == 403
    assert client.get("/besok/uke/").status_code == 403
