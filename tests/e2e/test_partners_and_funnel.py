"""Issue 19 in Chromium: admin adds a partner and a meeting with it, and the funnel page
shows the inquiries per source and partner as a chart and a table; each page under axe."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from customers.models import Partner, PartnerMeeting
from tests.conftest import make_cast
from tests.e2e.proof import axe_violations, open_as
from tests.factories import CareRecipientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def field(page, text: str):
    """The form control labelled `text` (Django adds a colon to labels)."""
    return page.get_by_label(re.compile(rf"^{re.escape(text)}:?$"))


def test_admin_adds_a_partner_and_a_meeting_and_reads_the_funnel(browser, live_server):
    cast = make_cast("Hjemme")
    page = open_as(browser, live_server, cast.admin, phone=False)

    page.goto("/")
    page.get_by_role("link", name="Samarbeidspartnere og møter").click()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Ny samarbeidspartner").click()
    field(page, "Organisasjon").fill("Frogner frivilligsentral")
    field(page, "Type").select_option("volunteer_centre")
    field(page, "Kontaktperson").fill("Berit Holm")
    field(page, "Telefon").fill("22 44 55 66")
    field(page, "Følges opp av").select_option(str(cast.lead.pk))
    assert axe_violations(page) == []
    page.get_by_role("button", name="Lagre").click()
    page.get_by_role("heading", name="Frogner frivilligsentral").wait_for()
    partner = Partner.objects.get()
    assert partner.phone.as_e164 == "+4722445566"
    assert axe_violations(page) == []

    page.get_by_role("link", name="Legg til møte", exact=True).click()
    field(page, "Dato").fill(timezone.localdate().isoformat())
    field(page, "Notat").fill("Frokostmøte, delte ut brosjyrer.")
    page.get_by_label(cast.lead.user.name).check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Lagre møtet").click()
    page.get_by_text("Frokostmøte, delte ut brosjyrer.").wait_for()
    assert PartnerMeeting.objects.get().attendees.get() == cast.lead

    for name, source in (("Anna", "partner"), ("Bjørn", "partner"), ("Cecilie", "family")):
        CareRecipientFactory(
            department=cast.dept_a,
            name=name,
            inquiry_source=source,
            inquiry_partner=partner if source == "partner" else None,
        )
    page.goto("/tall/inntak/")
    chart = page.get_by_role("img", name="Henvendelser og steg per kilde")
    chart.wait_for()
    assert "Familie eller venner" in (chart.text_content() or "")
    assert page.get_by_role("img", name="Henvendelser og steg per samarbeidspartner").is_visible()
    row = page.get_by_role("row", name=re.compile("^Frogner frivilligsentral"))
    assert row.get_by_role("cell").first.inner_text() == "2"
    assert axe_violations(page) == []

    field(page, "Fra og med").fill("2030-01-02")
    field(page, "Til og med").fill("2030-01-01")
    page.get_by_role("button", name="Vis periode").click()
    page.get_by_text("Til-datoen kan ikke være før fra-datoen.").wait_for()
    assert axe_violations(page) == []
