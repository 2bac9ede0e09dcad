"""Issue 22 in Chromium: the senior opens this month's Seniorposten from the agenda on a
phone and reaches the earlier ones; the leader's start page ("I dag") and the letter's
preview. axe-core on each page."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import make_cast
from tests.e2e.proof import axe_violations, open_as
from tests.training.helpers import make_meeting, make_posten

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OSLO = ZoneInfo("Europe/Oslo")
NOW = dt.datetime(2027, 3, 2, 10, 0, tzinfo=OSLO)


def assert_axe_clean(page, where: str) -> None:
    problems = [
        f"{where} {v['impact']} {v['id']}: {v['help']} — {v['nodes'][0]['target']}"
        for v in axe_violations(page)
    ]
    assert problems == [], "\n".join(problems)


def test_the_senior_reads_seniorposten_on_a_phone(browser, live_server):
    with time_machine.travel(NOW, tick=True):
        cast = make_cast("Hjemme")
        make_meeting(cast.organization, dt.datetime(2027, 3, 11, 18, 0, tzinfo=OSLO))
        make_posten(
            cast.dept_a,
            cast.leader_a,
            sent=True,
            year=2027,
            month=2,
            title="Seniorposten februar 2027",
        )
        make_posten(
            cast.dept_a,
            cast.leader_a,
            sent=True,
            year=2027,
            month=3,
            title="Seniorposten mars 2027",
            body="Hei alle!\n\n- Husk notatboka\n\nSe https://www.seniorene.no/ansattside",
            meeting_starts_at=dt.datetime(2027, 3, 11, 18, 0, tzinfo=OSLO),
            meeting_link="https://teams.example/mote",
        )
        draft = make_posten(cast.dept_a, cast.leader_a, year=2027, month=4, title="April")

        senior = open_as(browser, live_server, cast.senior_a, phone=True)
        senior.goto("/mine-besok/")
        senior.get_by_role("link", name="Seniorposten for mars 2027").click()
        senior.get_by_role("heading", name="Seniorposten mars 2027", level=1).wait_for()
        assert senior.get_by_role("link", name="https://www.seniorene.no/ansattside").count() == 1
        assert (
            senior.get_by_role("link", name="Bli med på teamsmøtet").get_attribute("href")
            == "https://teams.example/mote"
        )
        assert_axe_clean(senior, "the letter (phone)")
        senior.get_by_role("link", name="Alle utgaver av Seniorposten").click()
        senior.get_by_role("link", name="Seniorposten februar 2027").wait_for()
        assert senior.get_by_role("link", name="April").count() == 0
        assert_axe_clean(senior, "the list (phone)")

        leader = open_as(browser, live_server, cast.leader_a, phone=False)
        leader.goto("/hjem/")
        leader.get_by_role("heading", name="I dag").wait_for()
        assert_axe_clean(leader, "the leader's start page")
        leader.goto(f"/seniorposten/skriv/{draft.pk}/forhandsvisning/")
        leader.get_by_role("button", name="Send til seniorene").wait_for()
        assert_axe_clean(leader, "the preview")
