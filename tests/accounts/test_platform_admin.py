"""The Django admin logs no one in itself: allauth's login does (rate limits, the second
factor), and its pages need a session that passed the second factor when the user has one."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib import admin
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from seniorene.accounts.models import Role
from tests.conftest import login
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory, enrol_totp

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
ADMIN_LOGIN = "/platform-admin/login/"
ADMIN_PAGES = ["/platform-admin/"] + [
    reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    for model in admin.site._registry
]


@pytest.fixture(autouse=True)
def _clean_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(db):
    """Platform staff who is also an organization admin, with TOTP enrolled."""
    membership = MembershipFactory(role=Role.ADMIN, user__is_staff=True, user__is_superuser=True)
    return membership


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_the_admins_login_form_logs_no_one_in_with_a_password(staff):
    client = Client()
    response = client.post(
        ADMIN_LOGIN,
        {"username": staff.user.email, "password": TEST_PASSWORD, "next": "/platform-admin/"},
    )
    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("account_login")
    assert "_auth_user_id" not in client.session
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 302
    assert urlsplit(client.get("/hjem/").url).path == reverse("account_login")


def test_the_admin_login_is_rate_limited(staff):
    client = Client()
    with time_machine.travel(MOMENT, tick=False):
        for _ in range(30):
            response = client.post(
                ADMIN_LOGIN, {"username": staff.user.email, "password": "feil-passord"}
            )
            assert urlsplit(response.url).path == reverse("account_login")
            client.post(response.url, {"login": staff.user.email, "password": "feil-passord"})
        # The right password is refused now, at the admin's login and at the one it sends to.
        client.post(ADMIN_LOGIN, {"username": staff.user.email, "password": TEST_PASSWORD})
        response = client.post(
            reverse("account_login"), {"login": staff.user.email, "password": TEST_PASSWORD}
        )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/platform-admin/").status_code == 302


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_a_staff_session_without_the_second_factor_does_not_reach_the_admin(staff, url):
    client = Client()
    client.force_login(staff.user)
    response = client.get(url)
    assert response.status_code == 302
    assert urlsplit(response.url).path == ADMIN_LOGIN
    response = client.get(response.url)
    assert urlsplit(response.url).path == reverse("mfa_reauthenticate")


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_a_staff_session_that_passed_the_second_factor_reaches_the_admin(staff, url):
    assert login(Client(), staff).get(url).status_code == 200


def test_confirming_the_code_lets_staff_into_the_admin(staff):
    secret = enrol_totp(staff.user)
    client = Client()
    client.force_login(staff.user)
    with time_machine.travel(MOMENT, tick=False):
        response = client.get(client.get("/platform-admin/").url)
        response = client.post(response.url, {"code": code_for(secret)})
        assert response.status_code == 302
        assert client.get("/platform-admin/").status_code == 200


def test_staff_logs_in_through_the_product_with_password_and_code(staff):
    secret = enrol_totp(staff.user)
    client = Client()
    with time_machine.travel(MOMENT, tick=False):
        next_url = client.get("/platform-admin/").url  # → the admin's login → the product's
        login_url = client.get(next_url).url
        response = client.post(login_url, {"login": staff.user.email, "password": TEST_PASSWORD})
        assert client.get("/platform-admin/").status_code == 302
        response = client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
        assert response.status_code == 302
        assert client.get("/platform-admin/").status_code == 200


def test_staff_without_two_factor_still_reaches_the_admin_after_login(db):
    user = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert client.get("/platform-admin/").status_code == 200
