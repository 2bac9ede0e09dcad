"""The start page of admin and the lead carries the quality page's headline figures: this
month so far beside last month, each a link to the page (issue 22)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quality.figures import headline
from tests.conftest import get_home
from tests.quality.helpers import NOW, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(world):
    build_world(world.home)
    return world.home


def panel(html: str) -> str | None:
    found = re.search(r'<ul class="stack" id="quality-headline">(.*?)</ul>', html, re.S)
    return found.group(1) if found else None


def home(client) -> str:
    with time_machine.travel(NOW, tick=False):
        response = get_home(client)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("persona", ["admin", "lead"])
def test_admin_and_the_lead_see_this_month_beside_the_last(built, client_for, persona):
    html = home(client_for(built.persona(persona)))
    assert "Slik går det: mars 2026 så langt" in html
    figures = panel(html)
    assert figures is not None
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", figures))
    # Every department: A's two and B's one done of the eight whose time has come (nine
    # planned: 31 March is still to come); three of four logs on time.
    assert "Besøk gjennomført: 3 av 8 som skulle vært (februar 2026: 2 av 3)" in text
    assert "Ført i tide: 75 % (februar 2026: 100 %)" in text
    assert "Meldinger til leder som venter på svar: 2" in text
    assert "SMS etter besøk som feilet: 2 (februar 2026: 1)" in text
    links = re.findall(r'<a href="([^"]+)">', figures)
    assert links == ["/tall/kvalitet/"] * 4
    # The tile is there too.
    assert "Kvalitet: slik går det" in html


def test_a_leader_and_a_senior_have_no_such_panel(built, client_for):
    leader = home(client_for(built.leader_a))
    assert panel(leader) is None
    assert "Slik går det:" not in leader
    assert "Kvalitet: slik går det" in leader  # the page itself, for their departments
    senior = home(client_for(built.senior_a))
    assert panel(senior) is None
    assert "Kvalitet: slik går det" not in senior


def test_the_headline_is_a_few_queries_whatever_the_data(built):
    with CaptureQueriesContext(connection) as queries:
        figures = headline(organization_id=built.organization.pk, today=NOW.date(), now=NOW)
    assert len(queries) == 7
    assert figures.visits.planned == 9
    assert figures.visits.due == 8
    assert figures.previous_visits.done == 2
