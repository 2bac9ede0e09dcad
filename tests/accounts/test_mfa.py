"""Two-factor login: a role that must use it reaches data pages only from a session
that passed the second factor (allauth's authentication records), not from one that
merely belongs to a user who has an authenticator."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from seniorene.accounts.middleware import SESSION_KEY
from seniorene.accounts.models import Membership
from seniorene.accounts.policy import requires_mfa
from tests.conftest import PERSONAS, get_home, login
from tests.factories import TEST_PASSWORD, enrol_totp
from tests.isolation.registry import POST_ONLY, SAMPLES, home_department, send
from tests.isolation.urls import our_routes

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
GUARDED = [r for r in our_routes() if r.perm is not None]
MFA_PERSONAS = ("admin", "lead", "leader_a")


@pytest.fixture(autouse=True)
def _clean_rate_limits():
    cache.clear()
    yield
    cache.clear()


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def password_only(membership: Membership) -> Client:
    """A session forced in for `membership` with no record of the second factor."""
    client = Client()
    client.force_login(membership.user)
    session = client.session
    session[SESSION_KEY] = membership.organization_id
    session.save()
    return client


def request_route(client: Client, world, who: Membership, route):
    if route.params:
        sample = SAMPLES[route.name]
        kwargs = sample.build(world.home, who, home_department(world.home, who))
        return send(client, route, kwargs, sample)
    if route.name in POST_ONLY:
        return client.post(reverse(route.name), POST_ONLY[route.name])
    return client.get(reverse(route.name))


def test_the_personas_below_cover_every_role_that_must_use_two_factor(world):
    must = {world.home.persona(p).role for p in PERSONAS if requires_mfa(world.home.persona(p))}
    assert must == {world.home.persona(p).role for p in MFA_PERSONAS}


@pytest.mark.parametrize("route", GUARDED, ids=lambda r: r.name)
@pytest.mark.parametrize("persona", MFA_PERSONAS)
def test_a_session_that_skipped_the_second_factor_is_sent_to_confirm_it(
    world_per_module, route, persona
):
    world = world_per_module  # one cast for these 300-odd cases (tests/conftest.py)
    who = world.home.persona(persona)
    response = request_route(password_only(who), world, who, route)
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == reverse("mfa_reauthenticate")
    assert parse_qs(target.query)["next"][0].startswith("/")


def test_confirming_the_code_opens_the_page_it_was_sent_from(world):
    leader = world.home.leader_a
    secret = enrol_totp(leader.user)
    client = password_only(leader)
    with time_machine.travel(MOMENT, tick=False):
        response = client.get("/brukere/")
        assert response.status_code == 302
        assert get_home(client).status_code == 302
        response = client.post(response.url, {"code": code_for(secret)})
        assert response.status_code == 302
        assert response.url == "/brukere/"
        assert client.get("/brukere/").status_code == 200
        assert get_home(client).status_code == 200


def test_a_wrong_code_does_not_open_the_pages(world):
    leader = world.home.leader_a
    secret = enrol_totp(leader.user)
    client = password_only(leader)
    with time_machine.travel(MOMENT, tick=False):
        wrong = str((int(code_for(secret)) + 1) % 1_000_000).zfill(6)
        url = f"{reverse('mfa_reauthenticate')}?next=/hjem/"
        response = client.post(url, {"code": wrong})
        assert response.status_code == 200
        assert get_home(client).status_code == 302


def test_a_member_who_need_not_use_two_factor_gets_in_without_it(world):
    assert get_home(password_only(world.home.senior_a)).status_code == 200


def test_the_password_alone_does_not_log_in_a_member_with_two_factor(world):
    leader = world.home.leader_a
    client = Client()
    response = client.post("/konto/login/", {"login": leader.user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert get_home(client).url.startswith(reverse("account_login"))


def test_password_and_code_log_in_and_open_the_data_pages(world):
    leader = world.home.leader_a
    secret = enrol_totp(leader.user)
    client = Client()
    with time_machine.travel(MOMENT, tick=False):
        client.post("/konto/login/", {"login": leader.user.email, "password": TEST_PASSWORD})
        response = client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
        assert response.status_code == 302
        assert get_home(client).status_code == 200
        assert client.get("/brukere/").status_code == 200


def test_the_suite_login_helper_records_the_second_factor_like_a_real_login(world):
    client = login(Client(), world.home.admin)
    assert client.get("/medarbeidere/").status_code == 200
