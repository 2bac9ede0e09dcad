"""Argon2, login rate limits, and Django admin for platform staff only."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.core.cache import cache
from django.test import Client

from tests.factories import TEST_PASSWORD, MembershipFactory
from tests.test_settings import PRODUCTION_ENV, ROOT

pytestmark = pytest.mark.django_db


def test_production_hashes_passwords_with_argon2():
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.PASSWORD_HASHERS[0])",
        ],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "seniorene.settings",
            **PRODUCTION_ENV,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert make_password("x", hasher=Argon2PasswordHasher()).startswith("argon2$")


def test_repeated_failed_logins_are_stopped():
    cache.clear()
    member = MembershipFactory()
    client = Client()
    for _ in range(5):
        client.post("/konto/login/", {"login": member.user.email, "password": "feil"})
    response = client.post("/konto/login/", {"login": member.user.email, "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in {200, 429}
    cache.clear()


def test_organization_admins_are_not_platform_staff(world, client_for):
    response = client_for(world.home.admin).get("/platform-admin/")
    assert response.status_code == 302
    assert "/platform-admin/login/" in response.url
