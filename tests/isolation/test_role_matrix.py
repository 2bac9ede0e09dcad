"""Every view × every role → the status the policy module says."""

from __future__ import annotations

import pytest
from django.urls import reverse

from seniorene.accounts.policy import has_perm
from tests.conftest import PERSONAS
from tests.isolation.registry import POST_ONLY, SAMPLES, home_department, send
from tests.isolation.urls import our_routes

GUARDED = [r for r in our_routes() if r.perm is not None]


@pytest.fixture
def world(world_per_module):
    """One cast per module (tests/conftest.py, `module_world`): these tests build their
    objects on it and never change it, and there are over a thousand of them."""
    return world_per_module


@pytest.mark.parametrize("route", GUARDED, ids=lambda r: r.name)
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_gets_what_the_policy_grants(world, client_for, route, persona):
    who = world.home.persona(persona)
    client = client_for(who)
    allowed = has_perm(who, route.perm)
    if route.params:
        sample = SAMPLES[route.name]
        kwargs = sample.build(world.home, who, home_department(world.home, who))
        response = send(client, route, kwargs, sample)
        ok = sample.allowed_status
    elif route.name in POST_ONLY:
        response = client.post(reverse(route.name), POST_ONLY[route.name])
        ok = frozenset({302})
    else:
        response = client.get(reverse(route.name))
        ok = frozenset({200})
        if route.name == "home" and who.role == "senior":
            ok = frozenset({302})  # a senior's home is today's visits
            assert response.get("Location") == reverse("visits:agenda")
    if allowed:
        assert response.status_code in ok
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("route", GUARDED, ids=lambda r: r.name)
def test_a_member_without_mfa_in_a_staff_role_is_sent_to_set_it_up(world, client_for, route):
    from allauth.mfa.models import Authenticator

    leader = world.home.leader_a
    Authenticator.objects.filter(user=leader.user).delete()
    client = client_for(leader)
    if route.params:
        sample = SAMPLES[route.name]
        kwargs = sample.build(world.home, leader, home_department(world.home, leader))
        url = reverse(route.name, kwargs=kwargs)
        send = client.post if sample.method == "POST" else client.get
    else:
        url = reverse(route.name)
        send = client.post if route.name in POST_ONLY else client.get
    response = send(url)
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
