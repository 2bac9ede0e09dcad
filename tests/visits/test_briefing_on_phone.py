"""On a phone, the visit page puts what the Bli kjent interview learned first: falls and
topics to avoid in a marked box, then a big call button for the relative (issue 18)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from omsorg import services
from tests.conftest import make_cast
from tests.e2e.proof import axe_violations, small_targets
from tests.factories import TEST_PASSWORD, CareRecipientFactory, VisitFactory, make_criteria
from tests.training.helpers import clear_for_assignment
from visits.civil_time import local_datetime

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every control on the page other than the call button (what a slip could press instead).
OTHER_ACTIONS = "main a.button:visible, main button:visible"


def _gap(a: dict[str, float], b: dict[str, float]) -> float:
    """The distance between two boxes (0 when they touch or overlap)."""
    dx = max(b["x"] - (a["x"] + a["width"]), a["x"] - (b["x"] + b["width"]), 0)
    dy = max(b["y"] - (a["y"] + a["height"]), a["y"] - (b["y"] + b["height"]), 0)
    return max(dx, dy)


def test_the_visit_page_shows_falls_and_topics_to_avoid_first_and_a_call_button(
    phone, tmp_path_factory
):
    cast = make_cast("Hjemme")
    screening, _training = make_criteria(cast.organization)
    clear_for_assignment(cast.senior_a)
    recipient = CareRecipientFactory(
        department=cast.dept_a,
        name="Åse Ødegård",
        address="Thereses gate 12",
        postal_code="0452",
        city="Oslo",
        phone="+4722334455",
        seniors=[cast.senior_a],
    )
    services.screening_record(
        recipient=recipient, by=cast.leader_a, answers={c.pk: (True, "") for c in screening}
    )
    interview = services.interview_book(
        recipient=recipient,
        by=cast.leader_a,
        senior=cast.senior_a,
        starts_at=timezone.now() - dt.timedelta(hours=1),
    )
    services.interview_complete(
        interview=interview,
        by=cast.senior_a,
        data={
            "q2_informed": "yes",
            "q3_prepared_by": "senior",
            "q4_contact_name": "Ingrid Ødegård (datter)",
            "q4_contact_phone": "900 11 223",
            "q5_likes": "Blomster, Bærum og båtliv",
            "q6_avoid": "Krigen",
            "q7_cognitive": "Blir fort sliten av pusleoppgaver",
            "q8_falls": "Falt på badet i fjor vinter",
        },
        criteria={a.pk: True for a in interview.criterion_answers.all()},
        km=None,
        outcome="good_match",
    )
    visit = VisitFactory(
        recipient=recipient,
        senior=cast.senior_a,
        starts_at=local_datetime(timezone.localdate() + dt.timedelta(days=1), dt.time(11)),
    )
    shots = tmp_path_factory.mktemp("briefing")
    page = phone
    page.goto("/konto/login/")
    page.get_by_label("E-post").fill(cast.senior_a.user.email)
    page.get_by_label("Passord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    page.wait_for_load_state("load")
    page.goto(f"/mine-besok/{visit.pk}/")

    warning = page.get_by_role("group", name="Viktig før du ringer på")
    assert warning.is_visible()
    assert "Falt på badet i fjor vinter" in warning.inner_text()
    assert "Krigen" in warning.inner_text()
    call = page.get_by_role("link", name="Ring Ingrid Ødegård (barn): 90 01 12 23", exact=True)
    assert call.get_attribute("href") == "tel:+4790011223"
    page.screenshot(path=str(shots / "visit-briefing.png"), full_page=True)

    # Safety first: the warning is above every action and every other answer on the page.
    top = warning.bounding_box()
    assert top is not None
    for control in page.locator(OTHER_ACTIONS).all():
        box = control.bounding_box()
        assert box is not None
        assert box["y"] > top["y"] + top["height"]
    likes = page.get_by_text("Blomster, Bærum og båtliv").bounding_box()
    assert likes is not None
    assert likes["y"] > top["y"] + top["height"]

    # A finger-sized call button, well apart from every other action (a slip places no call).
    box = call.bounding_box()
    assert box is not None
    assert box["height"] >= 44
    others = [
        c for c in page.locator(OTHER_ACTIONS).all() if c.get_attribute("href") != "tel:+4790011223"
    ]
    assert others, "the map, call and log buttons are on the page"
    gaps = [_gap(box, b) for b in (c.bounding_box() for c in others) if b]
    assert min(gaps) >= 16

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    measured, small = small_targets(page)
    assert measured > 3
    assert small == []
