"""The base pages: front page, health check, error pages, language switch."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_the_front_page_greets_in_norwegian(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nb">' in html
    assert "Logg inn" in html
    assert 'class="skip-link" href="#main"' in html


def test_every_page_sends_a_strict_content_security_policy(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"


def test_healthz_answers_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] in {"redis", "filesystem"}


def test_healthz_says_503_when_the_broker_is_down(client):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error"}


def test_an_unknown_address_gets_the_norwegian_404_page(client):
    response = client.get("/finnes-ikke/")
    assert response.status_code == 404
    assert "Fant ikke siden" in response.content.decode()


def test_a_role_without_access_gets_the_norwegian_403_page(world, client):
    login(client, world.home.senior_a)
    response = client.get("/medarbeidere/")
    assert response.status_code == 403
    assert "Ingen tilgang" in response.content.decode()


def test_the_language_switch_turns_the_page_english(world, client):
    login(client, world.home.senior_a)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/hjem/"})
    assert response.status_code == 302
    html = client.get("/hjem/", follow=True).content.decode()  # a senior's home: the agenda
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert "Log out" in html


def test_navigation_depends_on_the_role(world, client_for):
    admin_html = client_for(world.home.admin).get("/hjem/").content.decode()
    senior_html = client_for(world.home.senior_a).get("/hjem/", follow=True).content.decode()
    assert "/mine-besok/" in senior_html
    assert "/medarbeidere/" in admin_html
    assert "/avdelinger/" in admin_html
    assert "/medarbeidere/" not in senior_html
    assert "/logg/" not in senior_html


def test_an_english_browser_still_gets_bokmaal_until_the_person_switches(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="nb">' in response.content.decode()


def test_a_seniors_home_is_todays_visits(world, client_for):
    """A senior who opens the app lands on the agenda, not on a menu of links."""
    senior = client_for(world.home.senior_a)
    for url in ("/", "/hjem/"):
        response = senior.get(url, follow=True)
        assert response.redirect_chain[-1][0] == "/mine-besok/", url
        assert ">Mine besøk</h1>" in response.content.decode()
    leader_home = client_for(world.home.leader_a).get("/hjem/")
    assert leader_home.status_code == 200  # the others keep their page of tiles
