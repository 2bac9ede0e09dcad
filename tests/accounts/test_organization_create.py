"""An organization created by platform staff starts with the manual's defaults, seeded by the
apps that own them when the core announces the new organization (the core imports no app)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from omsorg.models import Criterion, ServiceArea
from omsorg.services import DEFAULT_CRITERIA, DEFAULT_SERVICE_AREAS
from seniorene.accounts.models import Organization, Role
from tests.conftest import login
from tests.factories import MembershipFactory
from training.defaults import DEFAULT_MODULES
from training.models import TrainingModule

pytestmark = pytest.mark.django_db

FORM = {"org_number": "", "contact_email": "", "quiet_hours_start": 9, "quiet_hours_end": 20}


def test_an_organization_added_in_the_platform_admin_gets_the_manuals_defaults():
    staff = MembershipFactory(role=Role.ADMIN, user__is_staff=True, user__is_superuser=True)
    client = login(Client(), staff)

    response = client.post(
        reverse("admin:accounts_organization_add"),
        {**FORM, "name": "Seniorene Nord", "slug": "seniorene-nord"},
    )

    assert response.status_code == 302
    organization = Organization.objects.get(slug="seniorene-nord")
    assert ServiceArea.objects.filter(organization=organization).count() == len(
        DEFAULT_SERVICE_AREAS
    )
    assert Criterion.objects.filter(organization=organization).count() == len(DEFAULT_CRITERIA)
    assert TrainingModule.objects.filter(organization=organization).count() == len(DEFAULT_MODULES)


def test_changing_an_organization_in_the_platform_admin_seeds_nothing():
    staff = MembershipFactory(role=Role.ADMIN, user__is_staff=True, user__is_superuser=True)
    organization = staff.organization
    client = login(Client(), staff)

    response = client.post(
        reverse("admin:accounts_organization_change", args=[organization.pk]),
        {**FORM, "name": "Nytt navn", "slug": organization.slug},
    )

    assert response.status_code == 302
    assert not ServiceArea.objects.filter(organization=organization).exists()
    assert not TrainingModule.objects.filter(organization=organization).exists()
