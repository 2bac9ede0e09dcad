"""A relative opens the link from their SMS on a 390×844 phone: asks for the code, enters
it, reads the page, cancels a visit and asks to move another; every page passes axe with
44 px targets and nothing sideways."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache

from tests.conftest import make_cast
from tests.e2e.proof import axe_violations, small_targets
from tests.family.helpers import MOMENT, SHARED, make_family, sent_code
from visits.models import VisitStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_fit_for_a_phone(page) -> None:
    assert axe_violations(page) == []
    measured, small = small_targets(page)
    assert measured >= 1
    assert small == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_relative_uses_their_own_page_on_the_phone(phone, tmp_path_factory):
    cache.clear()
    shots = tmp_path_factory.mktemp("relative-page")
    with time_machine.travel(MOMENT, tick=True):
        family = make_family(make_cast("Hjemme"))
        page = phone
        page.goto(family.url)
        page.get_by_role("heading", name="Bekreft at det er deg").wait_for()
        assert_fit_for_a_phone(page)
        page.get_by_role("button", name="Send meg en kode på SMS").click()
        page.get_by_label("Koden fra SMS-en").fill(sent_code(family.relative))
        assert_fit_for_a_phone(page)
        page.screenshot(path=str(shots / "code.png"), full_page=True)
        page.get_by_role("button", name="Åpne siden").click()

        page.get_by_role("heading", name="Besøkene hos Astrid").wait_for()
        assert page.get_by_text(SHARED).is_visible()
        assert page.get_by_role("link", name="Ring").first.get_attribute("href") == (
            "tel:+4799887766"
        )
        assert_fit_for_a_phone(page)
        page.screenshot(path=str(shots / "page.png"), full_page=True)

        page.get_by_role("link", name="Avlys eller flytt").first.click()
        page.get_by_role("heading", name="Besøket lørdag 13. mars kl. 10.00").wait_for()
        page.get_by_label("Avlys besøket").check()
        page.get_by_label("Begrunnelse eller melding").fill("Mor er hos legen")
        assert_fit_for_a_phone(page)
        page.get_by_role("button", name="Send").click()
        page.get_by_text("Besøket er avlyst").wait_for()
        assert_fit_for_a_phone(page)

        page.get_by_role("link", name="Be om å avlyse eller flytte").first.click()
        page.get_by_label("Be om å flytte besøket").check()
        page.get_by_label("Når passer det bedre?").fill("Torsdag etter kl. 12")
        page.get_by_role("button", name="Send").click()
        page.get_by_text("Ønsket er sendt").wait_for()
        page.get_by_text("Venter på svar.").wait_for()
        assert_fit_for_a_phone(page)
        page.screenshot(path=str(shots / "after.png"), full_page=True)
    family.later.refresh_from_db()
    assert family.later.status == VisitStatus.CANCELLED
