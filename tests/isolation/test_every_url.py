"""Every URL pattern of the project, as every persona, against other tenants' objects.

The list of URLs comes from the resolver, so views added later are covered
without editing this file; a view the suite cannot exercise fails it until
`tests/isolation/registry.py` says how to build its object or why it is exempt.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from seniorene.accounts.models import Role
from seniorene.accounts.policy import PERM_ROLES, has_perm
from tests.conftest import PERSONAS
from tests.isolation.registry import SAMPLES, foreign_department, home_department, send
from tests.isolation.urls import all_routes, our_routes

ROUTES = our_routes()
ID_ROUTES = [r for r in ROUTES if r.params and not r.is_public]


@pytest.fixture
def world(world_per_module):
    """One cast per module (tests/conftest.py, `module_world`): these tests build their
    objects on it and never change it, and there are over a thousand of them."""
    return world_per_module


def test_every_view_declares_who_may_use_it():
    undeclared = [r.name for r in ROUTES if r.perm is None and not r.is_public]
    assert undeclared == [], "decorate these with @require(Perm.X) or @public"


def test_every_view_with_an_object_id_can_be_exercised():
    missing = [r.name for r in ID_ROUTES if r.name not in SAMPLES]
    assert missing == [], "add a Sample to tests/isolation/registry.py for these"


def test_every_exempt_route_has_a_reason():
    exempt = [r for r in all_routes() if r.exempt_reason is not None]
    assert exempt, "the allauth and admin routes should be listed as exempt"
    assert all(len(r.exempt_reason) > 20 for r in exempt)


@pytest.mark.parametrize("route", ID_ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("persona", PERSONAS)
def test_objects_of_another_organization_are_not_found(world, client_for, route, persona):
    sample = SAMPLES[route.name]
    who = world.home.persona(persona)
    twin = world.other.persona(persona)
    kwargs = sample.build(world.other, twin, home_department(world.other, twin))
    response = send(client_for(who), route, kwargs, sample)
    expected = 404 if has_perm(who, route.perm) else 403
    assert response.status_code == expected


DEPARTMENT_ROUTES = [
    r for r in ID_ROUTES if r.name in SAMPLES and SAMPLES[r.name].department_scoped
]
# Admin and lead see every department; the others belong to one.
DEPARTMENT_PERSONAS = ("leader_a", "leader_b", "senior_a", "senior_a2", "senior_b")


@pytest.mark.parametrize("route", DEPARTMENT_ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("persona", DEPARTMENT_PERSONAS)
def test_objects_of_another_department_are_not_found(world, client_for, route, persona):
    sample = SAMPLES[route.name]
    who = world.home.persona(persona)
    kwargs = sample.build(world.home, who, foreign_department(world.home, who))
    response = send(client_for(who), route, kwargs, sample)
    expected = 404 if has_perm(who, route.perm) else 403
    assert response.status_code == expected


def owner(route) -> str:
    """The first persona the route is for: whose object an anonymous visitor asks for."""
    roles = PERM_ROLES.get(route.perm, frozenset())
    return next((p for p in PERSONAS if PERSONA_ROLES[p] in roles), PERSONAS[0])


# A visitor without a login is the same to every URL whoever's object it names: one
# object per URL, built for a persona the URL is for (each persona's own objects are
# walked by the tests above and by the role matrix).
PERSONA_ROLES = {
    "admin": Role.ADMIN,
    "lead": Role.LEAD,
    "leader_a": Role.LEADER,
    "leader_b": Role.LEADER,
    "senior_a": Role.SENIOR,
    "senior_a2": Role.SENIOR,
    "senior_b": Role.SENIOR,
}
assert set(PERSONA_ROLES) == set(PERSONAS)


@pytest.mark.parametrize("route", ID_ROUTES, ids=lambda r: f"{owner(r)}-{r.name}")
def test_anonymous_visitors_are_sent_to_login(world, client, route):
    sample = SAMPLES[route.name]
    who = world.home.persona(owner(route))
    assert who.role == PERSONA_ROLES[owner(route)]
    kwargs = sample.build(world.home, who, home_department(world.home, who))
    response = send(client, route, kwargs, sample)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
