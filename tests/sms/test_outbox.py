"""The outbox page (admin and lead) and a staff member's own SMS consent page."""

from __future__ import annotations

import pytest

from messaging import services
from messaging.models import SmsMessage, StaffSmsConsent
from tests.sms.helpers import queue_to_relative, relative_with_consent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("daytime")]

OUTBOX = "/sms/utboks/"


@pytest.fixture
def messages(world, recorder):
    home = relative_with_consent(world.home.dept_a, phone="+4791234567")
    sent = queue_to_relative(home, key="sent", body="Besøket i dag gikk fint – vi bakte boller.")
    services.sms_send(message_id=sent.pk)
    queued = queue_to_relative(home, key="queued", body="Neste besøk torsdag kl. 11.00")
    other = relative_with_consent(world.other.dept_a, phone="+4798765432")
    foreign = queue_to_relative(other, key="foreign", body="Hemmelig melding i Borte")
    return sent, queued, foreign


def test_admin_sees_the_organizations_messages_with_masked_numbers(world, client_for, messages):
    response = client_for(world.home.admin).get(OUTBOX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Besøket i dag gikk fint - vi bakte boller." in html
    assert "Neste besøk torsdag kl. 11.00" in html
    assert "Sendt" in html
    assert "I kø" in html
    assert "Oppsummering etter besøk på SMS" in html
    assert "••••••••567" in html
    assert "91234567" not in html
    assert "1 SMS (GSM-7)" in html
    assert "Hemmelig melding" not in html  # another organization's


def test_the_lead_sees_it_too_and_the_nav_links_to_it(world, client_for, messages):
    html = client_for(world.home.lead).get(OUTBOX).content.decode()
    assert "Neste besøk torsdag" in html
    assert 'href="/sms/utboks/"' in html
    senior_home = client_for(world.home.senior_a).get("/hjem/").content.decode()
    assert 'href="/sms/utboks/"' not in senior_home


@pytest.mark.parametrize("persona", ["leader_a", "senior_a"])
def test_leaders_and_seniors_may_not_see_the_outbox(world, client_for, messages, persona):
    assert client_for(world.home.persona(persona)).get(OUTBOX).status_code == 403


def test_it_filters_by_status(world, client_for, messages):
    html = client_for(world.home.admin).get(OUTBOX, {"status": "queued"}).content.decode()
    assert "Neste besøk torsdag" in html
    assert "vi bakte boller" not in html


def test_the_outbox_takes_a_fixed_number_of_queries(
    world, client_for, recorder, django_assert_max_num_queries
):
    relative = relative_with_consent(world.home.dept_a)
    for n in range(40):
        queue_to_relative(relative, key=f"k{n}")
    client = client_for(world.home.admin)
    with django_assert_max_num_queries(15):
        response = client.get(OUTBOX)
    assert response.content.decode().count("Besøket i dag gikk fint.") == 40


def test_a_senior_gives_and_withdraws_their_own_sms_consent(world, client_for):
    senior = world.home.senior_a
    client = client_for(senior)
    assert "Ja, send meg SMS" in client.get("/sms/mitt-samtykke/").content.decode()
    assert client.post("/sms/mitt-samtykke/", {"action": "give"}).status_code == 302
    assert services.staff_may_receive_sms(membership_id=senior.pk)
    assert StaffSmsConsent.objects.get(membership=senior).recorded_by == senior.user
    assert "Jeg vil ikke lenger ha SMS" in client.get("/sms/mitt-samtykke/").content.decode()
    client.post("/sms/mitt-samtykke/", {"action": "withdraw"})
    assert not services.staff_may_receive_sms(membership_id=senior.pk)
    # Someone else's consent is untouched.
    assert not services.staff_may_receive_sms(membership_id=world.home.senior_a2.pk)
    assert not SmsMessage.objects.exists()
