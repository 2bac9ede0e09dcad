"""An invited leader accepts, sets a password, sets up TOTP, and logs in with it."""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail

from seniorene.accounts import services
from seniorene.accounts.models import Role
from tests.e2e.proof import log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Sterkt-og-langt-2026"


def code_for(secret: str, *, step: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def fresh_code(secret: str, used: set[str]) -> str:
    """A current code not used before (allauth refuses a code twice)."""
    while (code := code_for(secret)) in used:
        time.sleep(1)
    used.add(code)
    return code


def test_an_invited_leader_sets_up_two_factor_and_logs_in(world_tx, phone, live_server):
    admin = world_tx.admin
    services.invitation_create(
        by=admin,
        email="liv@test.example",
        name="Liv Leder",
        role=Role.LEADER,
        departments=[world_tx.dept_a],
    )
    link = re.search(r"/invitasjon/\S+/", mail.outbox[-1].body).group(0)

    page = phone
    page.goto(link)
    page.get_by_label("Velg passord").fill(PASSWORD)
    page.get_by_label("Gjenta passordet").fill(PASSWORD)
    page.get_by_role("button", name="Godta og fortsett").click()

    # A leader must set up two-factor login before any data page.
    page.goto("/hjem/")
    if page.get_by_label("Passord").count():  # allauth may ask for the password again
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name=re.compile("Bekreft|Confirm")).click()
    secret = page.locator("#authenticator_secret").input_value()
    assert len(secret) >= 16
    used: set[str] = set()
    page.get_by_label(re.compile("Autentiseringskode|Authenticator code")).fill(
        fresh_code(secret, used)
    )
    page.get_by_role("button", name=re.compile("Aktiver|Activate")).click()
    page.get_by_text(re.compile("gjenopprettingskoder|recovery codes", re.I)).first.wait_for()

    # Log out and back in: password, then the code from the authenticator.
    page.goto("/hjem/")
    log_out(page)
    page.goto("/konto/login/")
    page.get_by_label("E-post").fill("liv@test.example")
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    page.get_by_label(re.compile("Kode|Code", re.I)).fill(fresh_code(secret, used))
    page.get_by_role("button", name="Logg inn", exact=True).click()
    page.get_by_role("heading", name="Hei, Liv").wait_for()
    assert "/hjem/" in page.url
