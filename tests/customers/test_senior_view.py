"""Seniors see only their assigned recipients, and only what the visit needs."""

from __future__ import annotations

import pytest

from customers import services
from customers.models import CustomerKind
from tests.factories import CareRecipientFactory, ConsentFactory, RelativeFactory

pytestmark = pytest.mark.django_db


def test_a_senior_sees_only_assigned_recipients(world, client_for):
    home = world.home
    mine = CareRecipientFactory(department=home.dept_a, seniors=[home.senior_a], name="Mine Minsen")
    CareRecipientFactory(department=home.dept_a, seniors=[home.senior_a2], name="Andres Andersen")
    html = client_for(home.senior_a).get("/mine-brukere/").content.decode()
    assert "Mine Minsen" in html
    assert "Andres Andersen" not in html
    assert client_for(home.senior_a).get(f"/mine-brukere/{mine.pk}/").status_code == 200
    assert client_for(home.senior_a2).get(f"/mine-brukere/{mine.pk}/").status_code == 404


def test_the_senior_card_has_what_the_visit_needs_and_nothing_more(world, client_for):
    home = world.home
    recipient = CareRecipientFactory(
        department=home.dept_a,
        seniors=[home.senior_a],
        phone="+4722334455",
        key_notes="Nøkkel i nøkkelboks",
        address="Kirkeveien 1",
    )
    contact = RelativeFactory(recipient=recipient, name="Kontakt Kari", contact_during_visits=True)
    RelativeFactory(recipient=recipient, name="Ikke Kontakt", contact_during_visits=False)
    ConsentFactory(recipient=recipient, relative=contact)
    services.customer_set(
        recipient=recipient,
        by=home.leader_a,
        kind=CustomerKind.MUNICIPALITY,
        data={"name": "Hemmelig kommune", "invoice_reference": "Faktura 99"},
    )
    html = client_for(home.senior_a).get(f"/mine-brukere/{recipient.pk}/").content.decode()
    assert "Kirkeveien 1" in html
    assert 'href="tel:+4722334455"' in html
    assert "Kontakt Kari" in html
    assert "Nøkkel i nøkkelboks" in html
    # The page itself (the menu links to the senior's own SMS consent page).
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    for hidden in ("Ikke Kontakt", "Hemmelig kommune", "Faktura 99", "Samtykke", "samtykke"):
        assert hidden not in main
    # The page's title (the phone's tab, a screen reader's first words) is the name.
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert recipient.name in title
    assert "Besøksbok" not in title
    assert html.count("Besøksbok") == 1


def test_seniors_cannot_open_the_leader_card(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a, seniors=[world.home.senior_a])
    assert client_for(world.home.senior_a).get(f"/brukere/{recipient.pk}/").status_code == 403
