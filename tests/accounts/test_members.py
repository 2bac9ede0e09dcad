"""Admin pages: members, roles and departments, deactivation; switching organization."""

from __future__ import annotations

import pytest
from django.test import Client

from seniorene.accounts.middleware import SESSION_KEY
from seniorene.accounts.models import Membership, Role
from seniorene.audit.models import AuditEvent
from tests.conftest import get_home, login
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_admin_sees_every_member_of_their_organization_only(world, client_for):
    html = client_for(world.home.admin).get("/medarbeidere/").content.decode()
    for name in ("lead", "leader_a", "leader_b", "senior_a", "senior_b"):
        assert world.home.persona(name).user.name in html
        assert world.other.persona(name).user.name not in html


def test_the_admin_changes_a_role_and_departments(world, client_for):
    senior = world.home.senior_a
    response = client_for(world.home.admin).post(
        f"/medarbeidere/{senior.pk}/",
        {"role": Role.LEADER, "departments": [world.home.dept_a.pk, world.home.dept_b.pk]},
    )
    assert response.status_code == 302
    senior = Membership.objects.get(pk=senior.pk)
    assert senior.role == Role.LEADER
    assert senior.department_ids == {world.home.dept_a.pk, world.home.dept_b.pk}
    event = AuditEvent.objects.get(action="membership.updated")
    assert event.details["before"]["role"] == Role.SENIOR
    assert event.actor == world.home.admin.user


def test_an_admin_cannot_change_their_own_role(world, client_for):
    admin = world.home.admin
    html = (
        client_for(admin).post(f"/medarbeidere/{admin.pk}/", {"role": Role.SENIOR}).content.decode()
    )
    assert "Du kan ikke endre din egen rolle." in html
    assert Membership.objects.get(pk=admin.pk).role == Role.ADMIN


def test_deactivating_keeps_history_and_ends_the_session(world, client_for, client):
    senior = world.home.senior_a
    login(client, senior)
    assert get_home(client).status_code == 200
    client_for(world.home.admin).post(f"/medarbeidere/{senior.pk}/aktiv/", {"active": "0"})
    senior.refresh_from_db()
    senior.user.refresh_from_db()
    assert senior.is_active is False
    assert senior.deactivated_at is not None
    assert senior.user.is_active is False
    # The open session no longer gets in.
    response = get_home(client)
    assert response.status_code == 302
    assert response.url.startswith("/konto/login/")
    # History stays: the membership row and the audit row remain.
    assert Membership.objects.filter(pk=senior.pk).exists()
    assert AuditEvent.objects.filter(action="membership.deactivated").count() == 1


def test_deactivation_in_one_organization_leaves_the_other(world, client_for, client):
    both = MembershipFactory(
        user=world.other.senior_a.user,
        organization=world.home.organization,
        departments=[world.home.dept_a],
    )
    client_for(world.home.admin).post(f"/medarbeidere/{both.pk}/aktiv/", {"active": "0"})
    login(client, world.other.senior_a)
    response = get_home(client)
    assert response.status_code == 200
    assert world.other.organization.name in response.content.decode()


def test_reactivating_lets_them_back_in(world, client_for, client):
    senior = world.home.senior_a
    admin = client_for(world.home.admin)
    admin.post(f"/medarbeidere/{senior.pk}/aktiv/", {"active": "0"})
    admin.post(f"/medarbeidere/{senior.pk}/aktiv/", {"active": "1"})
    login(client, senior)
    assert get_home(client).status_code == 200


def test_an_admin_cannot_deactivate_themselves(world, client_for):
    admin = world.home.admin
    client_for(admin).post(f"/medarbeidere/{admin.pk}/aktiv/", {"active": "0"})
    assert Membership.objects.get(pk=admin.pk).is_active


def test_a_user_in_two_organizations_switches_between_them(world, client):
    user = world.home.lead.user
    MembershipFactory(user=user, organization=world.other.organization, role=Role.LEAD)
    login(client, world.home.lead)
    page = get_home(client).content.decode()
    assert 'name="organization"' in page
    assert f"{world.home.organization.name} · Fagansvarlig" in page
    client.post("/organisasjon/bytt/", {"organization": world.other.organization.pk})
    page = get_home(client).content.decode()
    assert f"{world.other.organization.name} · Fagansvarlig" in page


def new_session(membership: Membership) -> Client:
    """A login tomorrow: a new session that has not chosen an organization yet."""
    client = login(Client(), membership)
    session = client.session
    del session[SESSION_KEY]
    session.save()
    return client


def test_a_new_login_lands_in_the_organization_used_last(world):
    user = world.home.lead.user
    MembershipFactory(user=user, organization=world.other.organization, role=Role.LEAD)
    # Never switched: the first organization by name ("Borte" before "Hjemme").
    page = get_home(new_session(world.home.lead)).content.decode()
    assert f"{world.other.organization.name} · Fagansvarlig" in page
    # She switches to Hjemme and works there; her next login lands in Hjemme.
    client = new_session(world.home.lead)
    client.post("/organisasjon/bytt/", {"organization": world.home.organization.pk})
    page = get_home(new_session(world.home.lead)).content.decode()
    assert f"{world.home.organization.name} · Fagansvarlig" in page
    # And back: the choice follows her.
    client.post("/organisasjon/bytt/", {"organization": world.other.organization.pk})
    page = get_home(new_session(world.home.lead)).content.decode()
    assert f"{world.other.organization.name} · Fagansvarlig" in page


def test_switching_to_an_organization_one_is_not_in_changes_nothing(world, client):
    login(client, world.home.lead)
    client.post("/organisasjon/bytt/", {"organization": world.other.organization.pk})
    page = get_home(client).content.decode()
    assert f"{world.home.organization.name} · Fagansvarlig" in page


def test_someone_without_any_active_membership_sees_no_data(world, client):
    senior = world.home.senior_a
    senior.is_active = False
    senior.save()
    client.force_login(senior.user)
    response = get_home(client)
    assert response.status_code == 403
    assert "ikke med i noen organisasjon" in response.content.decode()


def test_departments_are_created_renamed_and_unique(world, client_for):
    admin = client_for(world.home.admin)
    admin.post("/avdelinger/", {"name": "Ski", "email": ""})
    html = admin.post("/avdelinger/", {"name": "ski", "email": ""}).content.decode()
    assert "finnes allerede en avdeling" in html
    dept = world.home.organization
    from seniorene.accounts.models import Department

    ski = Department.objects.get(organization=dept, name="Ski")
    admin.post(f"/avdelinger/{ski.pk}/", {"name": "Ski sentrum", "email": "ski@test.example"})
    ski.refresh_from_db()
    assert ski.name == "Ski sentrum"
    # The same name in another organization is fine.
    client = client_for(world.other.admin)
    client.post("/avdelinger/", {"name": "Ski sentrum", "email": ""})
    assert Department.objects.filter(name="Ski sentrum").count() == 2
