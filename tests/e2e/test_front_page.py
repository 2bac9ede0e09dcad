"""The first browser test: a senior opens the product on a phone and logs in."""

from __future__ import annotations

import pytest

from seniorene.accounts.models import Role
from tests.factories import TEST_PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_senior_logs_in_on_a_phone(phone, tmp_path_factory):
    senior = MembershipFactory(role=Role.SENIOR, user__name="Ragnhild Øye")
    phone.goto("/")
    assert phone.locator("html").get_attribute("lang") == "nb"
    phone.get_by_role("link", name="Logg inn").click()
    phone.get_by_label("E-post").fill(senior.user.email)
    phone.get_by_label("Passord").fill(TEST_PASSWORD)
    phone.get_by_role("button", name="Logg inn", exact=True).click()
    # A senior's home is the agenda.
    phone.get_by_role("heading", name="Mine besøk", exact=True).wait_for()
    assert phone.get_by_text("Logget inn som Ragnhild Øye.").is_visible()
    # Large touch targets on the phone: the menu and its logout button are at least 44 px high.
    menu = phone.locator("summary.site-menu__toggle")
    assert menu.bounding_box()["height"] >= 44
    menu.tap()
    box = phone.locator("details.site-menu").get_by_role("button", name="Logg ut").bounding_box()
    assert box is not None
    assert box["height"] >= 44
    shots = tmp_path_factory.mktemp("screenshots")
    phone.screenshot(path=str(shots / "senior-home-phone.png"), full_page=True)
    assert (shots / "senior-home-phone.png").stat().st_size > 5_000
