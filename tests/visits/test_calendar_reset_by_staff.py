"""A senior's calendar address can be replaced by their leader or an admin (a lost phone),
and is replaced when the senior's password changes (issue 16, hole 7)."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from seniorene.audit.models import AuditEvent
from tests.visits.conftest import oslo
from visits.calendar_feed import calendar_feed_for, calendar_token
from visits.models import CalendarFeed

pytestmark = pytest.mark.django_db
NOW = oslo(2026, 3, 16, 8, 0)
PASSWORD = "gammelt-passord-9371"


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


def feed_url(membership) -> str:
    feed = CalendarFeed.objects.get(membership=membership)
    return reverse("visits:ics", args=[calendar_token(feed)])


@pytest.fixture
def old_url(world, client):
    """senior_a (department A) has added the calendar address to a phone."""
    calendar_feed_for(membership=world.home.senior_a)
    url = feed_url(world.home.senior_a)
    assert client.get(url).status_code == 200
    return url


def reset_url(senior) -> str:
    return reverse("visits:senior_calendar_reset", args=[senior.pk])


@pytest.mark.parametrize("persona", ["admin", "lead", "leader_a"])
def test_the_seniors_leader_the_lead_and_an_admin_can_give_a_new_address(
    world, client, client_for, old_url, persona
):
    who = world.home.persona(persona)
    senior = world.home.senior_a
    staff = client_for(who)
    page = reverse("visits:availability", args=[senior.pk])
    if persona == "admin":
        page = reverse("accounts:member_edit", args=[senior.pk])
    assert reset_url(senior) in staff.get(page).content.decode()  # the button is there
    response = staff.post(reset_url(senior))
    assert response.status_code == 302
    assert response.url == page
    assert client.get(old_url).status_code == 404
    new_url = feed_url(senior)
    assert new_url != old_url
    assert client.get(new_url).status_code == 200
    event = AuditEvent.objects.filter(action="calendar.reset").get()
    assert event.actor == who.user
    assert event.object_id == str(senior.pk)


@pytest.mark.parametrize("persona", ["leader_b", "senior_a", "senior_a2", "senior_b"])
def test_no_one_else_can_replace_the_address(world, client, client_for, old_url, persona):
    response = client_for(world.home.persona(persona)).post(reset_url(world.home.senior_a))
    # Another department's leader does not find the senior; seniors have no such right.
    assert response.status_code == (404 if persona == "leader_b" else 403)
    assert client.get(old_url).status_code == 200
    assert not AuditEvent.objects.filter(action="calendar.reset").exists()


def test_a_leader_of_another_organization_gets_not_found(world, client, client_for, old_url):
    response = client_for(world.other.leader_a).post(reset_url(world.home.senior_a))
    assert response.status_code == 404
    assert client.get(old_url).status_code == 200


def test_changing_the_password_gives_a_new_address(world, client, client_for, old_url):
    senior = world.home.senior_a
    senior.user.set_password(PASSWORD)
    senior.user.save()
    other_feed = calendar_feed_for(membership=world.home.senior_a2)
    other_url = feed_url(world.home.senior_a2)
    response = client_for(senior).post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "nytt-passord-5512",
            "password2": "nytt-passord-5512",
        },
    )
    assert response.status_code == 302
    assert client.get(old_url).status_code == 404
    assert client.get(feed_url(senior)).status_code == 200
    # Someone else's address is left alone.
    assert client.get(other_url).status_code == 200
    assert CalendarFeed.objects.get(pk=other_feed.pk).key == other_feed.key
    event = AuditEvent.objects.get(action="calendar.reset")
    assert event.details == {"reason": "password_changed"}


def test_a_wrong_old_password_changes_nothing(world, client, client_for, old_url):
    senior = world.home.senior_a
    senior.user.set_password(PASSWORD)
    senior.user.save()
    response = client_for(senior).post(
        reverse("account_change_password"),
        {
            "oldpassword": "feil-passord",
            "password1": "nytt-passord-5512",
            "password2": "nytt-passord-5512",
        },
    )
    assert response.status_code == 200
    assert client.get(old_url).status_code == 200
