"""Issue 19 in Chromium: the customer form shows only the fields of the chosen kind, the
card offers the relative who ordered the service as the customer, and several consents
are given at once; each page scanned with axe-core on desktop and phone."""

from __future__ import annotations

import re

import pytest

from customers.models import Consent, Customer, CustomerKind
from tests.e2e.proof import Journey, open_as
from tests.factories import CareRecipientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def field(page, text: str):
    return page.get_by_label(re.compile(rf"^{re.escape(text)}:?$"))


def test_the_leader_makes_the_relative_customer_and_records_two_consents(
    world_tx, browser, live_server, tmp_path_factory
):
    cast = world_tx
    recipient = CareRecipientFactory(department=cast.dept_a, name="Åse Ødegård")
    page = open_as(browser, live_server, cast.leader_a, phone=False)
    journey = Journey(page, tmp_path_factory.mktemp("intake-pieces"))

    page.goto(f"/brukere/{recipient.pk}/parorende/ny/")
    field(page, "Navn").fill("Kari Ødegård")
    field(page, "Relasjon").select_option("child")
    field(page, "Mobil").fill("987 65 432")
    field(page, "Bestilte tjenesten").check()
    page.get_by_role("button", name="Lagre").click()
    page.get_by_text("Kari Ødegård bestilte tjenesten. Gjør Kari Ødegård til kunde?").wait_for()
    journey.step("card-offers-customer")
    page.get_by_role("button", name="Gjør Kari Ødegård til kunde").click()
    page.get_by_text("Kari Ødegård er nå kunde (pårørende).").wait_for()
    customer = Customer.objects.get(recipient=recipient, is_current=True)
    assert customer.kind == CustomerKind.RELATIVE

    # The checklist's next step (its one primary button) leads to the consent form.
    page.locator(".button--primary", has_text="Registrer samtykke").click()
    field(page, "Hvem kan motta").select_option(str(customer.relative_id))
    page.get_by_label("Oppsummering etter besøk på SMS").check()
    page.get_by_label("Påminnelser på SMS").check()
    journey.step("consent-form-several")
    page.get_by_role("button", name="Registrer samtykke").click()
    page.get_by_text("2 samtykker er registrert.").wait_for()
    assert Consent.objects.filter(relative_id=customer.relative_id).count() == 2
    journey.assert_clean()


def test_the_customer_form_shows_the_fields_of_the_chosen_kind(
    world_tx, browser, live_server, tmp_path_factory
):
    cast = world_tx
    recipient = CareRecipientFactory(department=cast.dept_a, name="Åse Ødegård")
    page = open_as(browser, live_server, cast.leader_a, phone=True)
    journey = Journey(page, tmp_path_factory.mktemp("customer-kind"))
    page.goto(f"/brukere/{recipient.pk}/kunde/")
    org_number = field(page, "Organisasjonsnummer")
    project = field(page, "Prosjektnummer i Tripletex")
    # The recipient themself (the default): no organisation fields.
    assert not org_number.is_visible()
    assert project.is_visible()
    journey.step("customer-form-person")
    page.get_by_label("Kommune", exact=True).check()
    assert org_number.is_visible()
    assert field(page, "Fakturareferanse").is_visible()
    field(page, "Navn på kommune/sykehjem").fill("Oslo kommune")
    org_number.fill("974 760 673")
    journey.step("customer-form-municipality")
    page.get_by_label("Brukeren selv", exact=True).check()
    assert not org_number.is_visible()
    page.get_by_label("Kommune", exact=True).check()
    page.get_by_role("button", name="Lagre").click()
    page.get_by_role("heading", name="Åse Ødegård").wait_for()
    customer = Customer.objects.get(recipient=recipient, is_current=True)
    assert (customer.kind, customer.name, customer.org_number) == (
        CustomerKind.MUNICIPALITY,
        "Oslo kommune",
        "974760673",
    )
    journey.assert_clean()
