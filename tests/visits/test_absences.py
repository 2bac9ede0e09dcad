"""The senior's own availability and absences, and the leader's one-screen reassignment of
the visits an absence hits (issue 18): R6, clashes per row, audit rows, the seniors told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from seniorene.accounts.models import Role
from seniorene.audit.models import AuditEvent
from tests.factories import MembershipFactory, VisitFactory
from tests.training.helpers import clear_for_assignment
from visits.absences import absence_add, absence_hits
from visits.civil_time import date_span, local_datetime
from visits.conflicts import visit_conflicts
from visits.models import SeniorAbsence, SeniorAvailability, Visit

pytestmark = pytest.mark.django_db


def days_ahead(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def visit_on(planning, senior, day: dt.date, hour: int = 11) -> Visit:
    return VisitFactory(
        recipient=planning.recipient, senior=senior, starts_at=local_datetime(day, dt.time(hour))
    )


def away(world, first: dt.date, last: dt.date) -> SeniorAbsence:
    return absence_add(
        membership=world.home.senior_a, by=world.home.senior_a, starts_on=first, ends_on=last
    )


# --- Absences: validation -----------------------------------------------------------------


def test_an_absence_ending_before_it_starts_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        away(world, days_ahead(10), days_ahead(9))
    assert "«Til og med» kan ikke være før «fra»" in str(refused.value)
    assert not SeniorAbsence.objects.exists()


def test_an_absence_starting_in_the_past_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        away(world, days_ahead(-1), days_ahead(3))
    assert "tilbake i tid" in str(refused.value)
    # From today is fine: "I am away now".
    assert away(world, days_ahead(0), days_ahead(3)).starts_on == timezone.localdate()


def test_an_absence_overlapping_another_is_refused(world):
    away(world, days_ahead(10), days_ahead(20))
    with pytest.raises(ValidationError) as refused:
        away(world, days_ahead(15), days_ahead(25))
    assert "allerede registrert fravær" in str(refused.value)
    assert SeniorAbsence.objects.count() == 1


def test_the_senior_adds_and_deletes_an_absence_on_the_phone_page(world, client_for):
    senior = client_for(world.home.senior_a)
    url = reverse("visits:my_absences")
    first, last = days_ahead(10), days_ahead(16)
    bad = senior.post(url, {"starts_on": last.isoformat(), "ends_on": first.isoformat()})
    assert bad.status_code == 200
    assert "«Til og med» kan ikke være før «fra»" in bad.content.decode()
    response = senior.post(
        url, {"starts_on": first.isoformat(), "ends_on": last.isoformat(), "note": "Bortreist"}
    )
    assert response.status_code == 302
    absence = SeniorAbsence.objects.get()
    assert (absence.membership, absence.created_by) == (
        world.home.senior_a,
        world.home.senior_a.user,
    )
    page = senior.get(url).content.decode()
    assert "Bortreist" in page
    assert f"Lagret: borte {date_span(first, last)}" in page
    # The availability page (from the agenda) lists it too.
    assert "Bortreist" in senior.get(reverse("visits:my_availability")).content.decode()
    assert senior.post(reverse("visits:my_absence_delete", args=[absence.pk])).status_code == 302
    assert not SeniorAbsence.objects.exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="absence.")
        .order_by("pk")
        .values_list("action", "actor")
    )
    assert actions == [
        ("absence.added", world.home.senior_a.user_id),
        ("absence.deleted", world.home.senior_a.user_id),
    ]


def test_another_seniors_absence_cannot_be_deleted(world, client_for):
    theirs = absence_add(
        membership=world.home.senior_a2,
        by=world.home.senior_a2,
        starts_on=days_ahead(3),
        ends_on=days_ahead(4),
    )
    senior = client_for(world.home.senior_a)
    assert senior.post(reverse("visits:my_absence_delete", args=[theirs.pk])).status_code == 404
    assert SeniorAbsence.objects.filter(pk=theirs.pk).exists()


def test_the_leader_adds_an_absence_for_a_senior_of_their_department(world, client_for):
    leader = client_for(world.home.leader_a)
    url = reverse("visits:senior_absences", args=[world.home.senior_a.pk])
    response = leader.post(
        url, {"starts_on": days_ahead(5).isoformat(), "ends_on": days_ahead(6).isoformat()}
    )
    assert response.status_code == 302
    absence = SeniorAbsence.objects.get()
    assert absence.created_by == world.home.leader_a.user
    other = reverse("visits:senior_absences", args=[world.home.senior_b.pk])
    assert leader.get(other).status_code == 404


# --- Availability set by the senior ----------------------------------------------------------


def test_the_senior_sets_their_own_days_and_hours(world, client_for):
    senior = client_for(world.home.senior_a)
    url = reverse("visits:my_availability")
    data = {
        "day_1": "on",
        "from_1": "10:00",
        "to_1": "14:00",
        # Not ticked: the times left in the boxes do not count.
        "from_3": "09:00",
        "to_3": "12:00",
    }
    assert senior.post(url, data).status_code == 302
    windows = list(
        SeniorAvailability.objects.filter(membership=world.home.senior_a).values_list(
            "weekday", "start_time", "end_time"
        )
    )
    assert windows == [(1, dt.time(10), dt.time(14))]
    event = AuditEvent.objects.get(action="availability.set")
    assert event.actor == world.home.senior_a.user
    # The page shows the saved day ticked.
    page = senior.get(url).content.decode()
    assert 'name="day_1" id="id_day_1" checked' in page


def test_a_ticked_day_needs_its_times(world, client_for):
    senior = client_for(world.home.senior_a)
    url = reverse("visits:my_availability")
    response = senior.post(url, {"day_2": "on", "from_4": "x"})
    assert response.status_code == 200
    assert "Skriv når du kan, fra og til." in response.content.decode()
    response = senior.post(url, {"day_2": "on", "from_2": "15:00", "to_2": "12:00"})
    assert "«Til» må være etter «fra»." in response.content.decode()
    assert not SeniorAvailability.objects.exists()


# --- Planning sees the absence -----------------------------------------------------------------


def test_a_visit_in_an_absence_is_a_conflict(world, planning):
    inside = visit_on(planning, world.home.senior_a, days_ahead(8))
    outside = visit_on(planning, world.home.senior_a, days_ahead(12))
    away(world, days_ahead(7), days_ahead(9))
    conflicts = visit_conflicts([inside, outside])
    assert [c.kind for c in conflicts[inside.pk]] == ["absent"]
    assert date_span(days_ahead(7), days_ahead(9)) in conflicts[inside.pk][0].text
    assert outside.pk not in conflicts


# --- Følg opp and the one-screen reassignment --------------------------------------------------


@pytest.fixture
def hit(world, planning):
    """senior_a away in 7–9 days with three visits then; senior_a2 cleared and free but for
    one visit at the time of the third; an uncleared senior in the department."""
    first, last = days_ahead(7), days_ahead(9)
    visits = [
        visit_on(planning, world.home.senior_a, days_ahead(7), 10),
        visit_on(planning, world.home.senior_a, days_ahead(8), 11),
        visit_on(planning, world.home.senior_a, days_ahead(9), 12),
    ]
    visit_on(planning, world.home.senior_a2, days_ahead(9), 12)  # a2 is busy then
    untrained = MembershipFactory(
        organization=world.home.organization, role=Role.SENIOR, departments=[world.home.dept_a]
    )
    absence = away(world, first, last)
    return absence, visits, untrained


def test_the_leader_sees_the_absence_on_follow_up_with_the_visits_it_hits(world, client_for, hit):
    absence, _visits, _untrained = hit
    page = client_for(world.home.leader_a).get(reverse("visits:watchdog")).content.decode()
    name = world.home.senior_a.user.get_short_name()
    span = date_span(absence.starts_on, absence.ends_on)
    assert f"{name} er borte {span} – 3 besøk må få ny senior" in page
    assert reverse("visits:absence_reassign", args=[absence.pk]) in page
    # A leader of another department has nothing to do with these visits.
    other = client_for(world.home.leader_b).get(reverse("visits:watchdog")).content.decode()
    assert f"{name} er borte" not in other


def test_the_reassignment_page_shows_each_seniors_state_and_preselects_nothing(
    world, client_for, hit
):
    absence, visits, untrained = hit
    page = client_for(world.home.leader_a).get(
        reverse("visits:absence_reassign", args=[absence.pk])
    )
    html = page.content.decode()
    a2 = world.home.senior_a2.user.name
    assert f"{a2} – ledig" in html
    assert f"{a2} – senioren har et annet besøk 12.00–13.00" in html
    assert f"{untrained.user.name} – mangler opplæring" in html
    assert " selected" not in html.split("<tbody>")[1].split("</tbody>")[0]
    assert world.home.senior_a.user.name + " –" not in html  # the absent senior is no choice


def test_the_valid_rows_are_saved_and_the_refused_ones_shown_again(
    world, client_for, hit, django_capture_on_commit_callbacks
):
    absence, (first, second, third), untrained = hit
    leader = client_for(world.home.leader_a)
    url = reverse("visits:absence_reassign", args=[absence.pk])
    a2 = world.home.senior_a2
    with django_capture_on_commit_callbacks(execute=True):
        response = leader.post(
            url,
            {
                f"senior_{first.pk}": str(a2.pk),
                f"senior_{second.pk}": str(untrained.pk),  # R6: not cleared
                f"senior_{third.pk}": str(a2.pk),  # a2 has another visit then
            },
        )
    assert response.status_code == 200
    html = response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert first.senior == a2
    assert second.senior == third.senior == world.home.senior_a
    assert "kan ikke få oppdrag før opplæringen er fullført" in html
    assert "senioren har et annet besøk 12.00–13.00" in html
    assert "1 besøk har fått ny senior" in html
    assert "2 besøk ble ikke endret" in html
    # The saved one is gone from the list; the two refused are still there.
    assert f'id="visit-{first.pk}"' not in html
    assert f'id="visit-{second.pk}"' in html
    assert f'id="visit-{third.pk}"' in html
    # One audit row for the one change, none for the refused ones.
    events = AuditEvent.objects.filter(action="visit.reassigned")
    assert [(e.object_id, e.details) for e in events] == [
        (str(first.pk), {"from": world.home.senior_a.pk, "to": a2.pk})
    ]
    # Both seniors of the saved change are told, once; nobody about the refused rows.
    told = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert told == sorted(
        [
            (world.home.senior_a.user.email, "Et besøk er gitt til en annen senior"),
            (a2.user.email, "Du har fått et besøk"),
        ]
    )
    new = next(m for m in mail.outbox if m.to == [a2.user.email])
    assert reverse("visits:my_visit", args=[first.pk]) in new.body
    assert first.recipient.name not in new.body  # staff notices name no recipient


def test_when_every_visit_has_a_new_senior_the_absence_leaves_follow_up(
    world, client_for, hit, planning
):
    absence, visits, _untrained = hit
    third_senior = MembershipFactory(
        organization=world.home.organization, role=Role.SENIOR, departments=[world.home.dept_a]
    )
    clear_for_assignment(third_senior)
    leader = client_for(world.home.leader_a)
    url = reverse("visits:absence_reassign", args=[absence.pk])
    a2 = world.home.senior_a2
    response = leader.post(
        url,
        {
            f"senior_{visits[0].pk}": str(a2.pk),
            f"senior_{visits[1].pk}": str(a2.pk),
            f"senior_{visits[2].pk}": str(third_senior.pk),
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("visits:watchdog")
    assert not absence_hits(absence=absence).exists()
    page = leader.get(reverse("visits:watchdog")).content.decode()
    assert "3 besøk har fått ny senior" in page
    assert f"{world.home.senior_a.user.get_short_name()} er borte" not in page
    assert AuditEvent.objects.filter(action="visit.reassigned").count() == 3


def test_nothing_chosen_changes_nothing(world, client_for, hit):
    absence, visits, _untrained = hit
    leader = client_for(world.home.leader_a)
    response = leader.post(reverse("visits:absence_reassign", args=[absence.pk]), {})
    assert "Velg en ny senior for minst ett av besøkene." in response.content.decode()
    assert Visit.objects.filter(senior=world.home.senior_a).count() == 3


def test_a_senior_of_another_department_cannot_be_chosen(world, client_for, hit):
    absence, visits, _untrained = hit
    clear_for_assignment(world.home.senior_b)
    leader = client_for(world.home.leader_a)
    response = leader.post(
        reverse("visits:absence_reassign", args=[absence.pk]),
        {f"senior_{visits[0].pk}": str(world.home.senior_b.pk)},
    )
    assert "Velg en senior i avdelingen fra listen." in response.content.decode()
    visits[0].refresh_from_db()
    assert visits[0].senior == world.home.senior_a


def test_giving_one_visit_to_a_senior_who_is_away_warns_the_leader(world, client_for, planning):
    visit = visit_on(planning, world.home.senior_a, days_ahead(8))
    absence_add(
        membership=world.home.senior_a2,
        by=world.home.senior_a2,
        starts_on=days_ahead(7),
        ends_on=days_ahead(9),
    )
    leader = client_for(world.home.leader_a)
    response = leader.post(
        reverse("visits:visit_reassign", args=[visit.pk]),
        {"senior": world.home.senior_a2.pk},
        follow=True,
    )
    visit.refresh_from_db()
    assert visit.senior == world.home.senior_a2
    span = date_span(days_ahead(7), days_ahead(9))
    assert f"Obs: Senioren er borte {span}." in response.content.decode()
