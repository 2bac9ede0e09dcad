"""`manage.py seed_demo`: idempotent, DEBUG only, and its printed logins work."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from seniorene.accounts.demo import DEMO_PASSWORD
from seniorene.accounts.models import Department, Membership, Organization, Role, User

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_creates_two_organizations_with_every_role():
    seed()
    assert set(Organization.objects.values_list("name", flat=True)) == {
        "Seniorene AS",
        "Nordre Follo kommune",
    }
    for org in Organization.objects.all():
        roles = set(Membership.objects.filter(organization=org).values_list("role", flat=True))
        assert roles == set(Role.values)
    assert Department.objects.filter(organization__slug="seniorene").count() == 2
    assert Department.objects.filter(organization__slug="nordre-follo").count() == 1


def test_running_it_twice_changes_nothing():
    seed()
    counts = (User.objects.count(), Membership.objects.count(), Department.objects.count())
    seed()
    assert (User.objects.count(), Membership.objects.count(), Department.objects.count()) == counts


def test_it_is_refused_when_debug_is_off():
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()


def test_every_printed_login_gets_in(client):
    output = seed()
    emails = re.findall(r"\S+@\S+\.example", output)
    assert len(set(emails)) == 10
    assert DEMO_PASSWORD in output
    for email in set(emails):
        assert client.login(email=email, password=DEMO_PASSWORD), email
        client.logout()


def test_it_prints_a_link_to_a_relatives_own_page_that_opens(client):
    from django.core.cache import cache

    cache.clear()
    output = seed()
    found = re.search(r"http://\S+(/p/[A-Za-z0-9_-]+/)", output)
    assert found, output
    response = client.get(found.group(1))
    assert response.status_code == 200
    assert "Bekreft at det er deg" in response.content.decode()
