"""Changing one's e-mail address (/konto/email/) and asking for a password reset.

A session alone cannot move the login address: the password is asked again, and a
new address replaces the old one only when the link sent to it is opened. The reset
form tells no one which addresses have an account, and mails only the login address.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from seniorene.accounts import services
from seniorene.accounts.models import Role
from tests.conftest import get_home, login
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
PASSWORD = "Lang-og-god-2026"
NEW = "ny.adresse@test.example"
EMAIL_URL = "/konto/email/"


@pytest.fixture(autouse=True)
def _frozen():
    """A fixed moment, and no rate-limit counts left over from other tests."""
    cache.clear()
    with time_machine.travel(MOMENT, tick=False):
        yield
    cache.clear()


@pytest.fixture
def invited(world, django_capture_on_commit_callbacks):
    """A senior who joined by invitation (which is what verified their address)."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            by=world.home.admin,
            email="siri@test.example",
            name="Siri Senior",
            role=Role.SENIOR,
            departments=[world.home.dept_a],
        )
    return services.invitation_accept(invitation=invitation, name="Siri Senior", password=PASSWORD)


def reauthenticate(client: Client, password: str = PASSWORD) -> None:
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302


def add(client: Client, email: str):
    return client.post(EMAIL_URL, {"email": email, "action_add": ""})


def test_changing_the_address_asks_for_the_password_first(invited):
    client = login(Client(), invited)
    response = add(client, NEW)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email=NEW).exists()
    assert not [m for m in mail.outbox if NEW in m.to]


def test_making_an_address_the_login_address_asks_for_the_password(invited):
    client = login(Client(), invited)
    reauthenticate(client)
    add(client, NEW)
    with time_machine.travel(MOMENT + timedelta(minutes=10), tick=False):
        response = client.post(EMAIL_URL, {"email": NEW, "action_primary": ""})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    invited.user.refresh_from_db()
    assert invited.user.email == "siri@test.example"


def test_a_new_address_is_the_login_only_once_its_link_is_opened(invited):
    client = login(Client(), invited)
    reauthenticate(client)
    mail.outbox.clear()
    response = add(client, NEW)
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[NEW]]
    key = re.search(r"/konto/confirm-email/([^/\s]+)/", mail.outbox[0].body).group(1)
    invited.user.refresh_from_db()
    assert invited.user.email == "siri@test.example"

    # Making the unconfirmed address the login address is refused, password or not.
    client.post(EMAIL_URL, {"email": NEW, "action_primary": ""})
    invited.user.refresh_from_db()
    assert invited.user.email == "siri@test.example"
    # A password reset for the waiting address sends no link to it.
    mail.outbox.clear()
    Client().post(reverse("account_reset_password"), {"email": NEW})
    assert mail.outbox == []
    # The old address still logs in.
    other = Client()
    other.post(reverse("account_login"), {"login": "siri@test.example", "password": PASSWORD})
    assert get_home(other).status_code == 200

    # Opening the link sent to the new address makes it the login address.
    response = client.post(reverse("account_confirm_email", args=[key]))
    assert response.status_code == 302
    invited.user.refresh_from_db()
    assert invited.user.email == NEW
    fresh = Client()
    fresh.post(reverse("account_login"), {"login": NEW, "password": PASSWORD})
    assert get_home(fresh).status_code == 200


def test_another_accounts_address_is_a_form_error_not_a_crash(invited, world):
    client = login(Client(), invited)
    reauthenticate(client)
    mail.outbox.clear()
    taken = world.home.senior_b.user.email
    response = add(client, taken.upper())
    assert response.status_code == 200
    assert "En bruker med denne e-postadressen er allerede registrert." in response.content.decode()
    assert mail.outbox == []
    response = client.post(EMAIL_URL, {"email": taken, "action_primary": ""})
    assert response.status_code == 302
    invited.user.refresh_from_db()
    assert invited.user.email == "siri@test.example"
    assert not EmailAddress.objects.filter(user=invited.user, email=taken).exists()


def test_members_whose_address_was_never_verified_still_log_in(world):
    senior = world.home.senior_a
    assert not EmailAddress.objects.filter(user=senior.user, verified=True).exists()
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": senior.user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert get_home(client).status_code == 200


def test_joining_by_invitation_verifies_the_login_address(invited):
    address = EmailAddress.objects.get(user=invited.user)
    assert (address.email, address.verified, address.primary) == ("siri@test.example", True, True)


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(world):
    known = Client().post(
        reverse("account_reset_password"), {"email": world.home.senior_a.user.email}
    )
    assert [m.to for m in mail.outbox] == [[world.home.senior_a.user.email]]
    mail.outbox.clear()
    unknown = Client().post(reverse("account_reset_password"), {"email": "ingen@test.example"})
    assert mail.outbox == []
    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    done = Client().get(unknown.url).content.decode()
    assert "ingen@test.example" not in done


@pytest.mark.parametrize("persona", ["admin", "lead", "leader_a"])
def test_members_who_must_use_two_factor_can_change_their_address_too(world, persona):
    """Found using issue 16 in a browser: allauth refused any new address on an account
    with two-factor ("Du kan ikke legge til en e-postadresse…"), so admin, lead and
    leaders, who must have it, could never change theirs. The same rules hold for them:
    the password again, a link to the new address, the login moved only when it is opened."""
    from allauth.mfa.utils import is_mfa_enabled

    member = world.home.persona(persona)
    old = member.user.email
    assert is_mfa_enabled(member.user)
    client = login(Client(), member)
    with time_machine.travel(MOMENT + timedelta(minutes=10), tick=False):
        response = add(client, NEW)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_reauthenticate"))
        assert not EmailAddress.objects.filter(email=NEW).exists()
        reauthenticate(client, TEST_PASSWORD)
        mail.outbox.clear()
        response = add(client, NEW)
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[NEW]]
    # The mail says what is going on: a change of login address, not a new account.
    [sent] = mail.outbox
    assert "Bekreft den nye e-postadressen din" in sent.subject
    assert "i stedet for den gamle" in sent.body
    assert "konto på" not in sent.body
    member.user.refresh_from_db()
    assert member.user.email == old
    key = re.search(r"/konto/confirm-email/([^/\s]+)/", mail.outbox[0].body).group(1)
    client.post(reverse("account_confirm_email", args=[key]))
    member.user.refresh_from_db()
    assert member.user.email == NEW


def test_a_login_address_never_recorded_as_verified_stays_until_the_new_one_is_confirmed(
    world,
):
    """A member made outside an invitation (a platform admin from createsuperuser) has no
    verified address on record: adding a new one used to remove the login address with
    the one allauth took for the change in progress, leaving the account with none."""
    member = world.home.senior_a
    old = member.user.email
    assert not EmailAddress.objects.filter(user=member.user).exists()
    client = login(Client(), member)
    reauthenticate(client, TEST_PASSWORD)
    mail.outbox.clear()
    assert add(client, NEW).status_code == 302
    assert [m.to for m in mail.outbox] == [[NEW]]
    member.user.refresh_from_db()
    assert member.user.email == old
    fresh = Client()
    fresh.post(reverse("account_login"), {"login": old, "password": TEST_PASSWORD})
    assert get_home(fresh).status_code == 200
