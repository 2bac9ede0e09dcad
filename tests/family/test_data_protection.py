"""The relative's page in the innsyn export and after anonymisation."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache

from customers import services
from customers.models import RelativeAccessCode, RelativeDevice, RelativeLink
from family.models import VisitRequest
from tests.family.helpers import MOMENT, make_family, trust_device

pytestmark = pytest.mark.django_db


def test_the_export_lists_links_devices_codes_and_requests_and_anonymising_removes_them(
    world, client, client_for
):
    cache.clear()
    with time_machine.travel(MOMENT, tick=False):
        family = make_family(world.home)
        trust_device(client, family)
        client.post(
            f"{family.url}besok/{family.soon.pk}/",
            {"action": "move", "wished_time": "Fredag", "note": "Mor skal til frisøren"},
        )
    data = services.recipient_export(recipient=family.recipient)
    assert [link["relative"] for link in data["relative_page_links"]] == ["Ingrid Hansen"]
    assert data["relative_page_devices"][0]["trusted"].startswith("2027-03-10T10:00")
    assert data["relative_page_codes"][0]["used"] is not None
    assert data["visit_requests"][0]["note"] == "Mor skal til frisøren"
    assert data["visit_requests"][0]["wished_time"] == "Fredag"
    page = client_for(world.home.leader_a).get(f"/brukere/{family.recipient.pk}/innsyn/")
    assert "Lenker til pårørendesiden" in page.content.decode()
    assert "Ønsker fra pårørende" in page.content.decode()

    services.recipient_change_status(
        recipient=family.recipient, by=world.home.leader_a, to_status="ended", reason="Flyttet"
    )
    services.recipient_anonymise(recipient=family.recipient)
    relative = family.relative
    assert not RelativeLink.objects.filter(relative=relative).exists()
    assert not RelativeDevice.objects.filter(relative=relative).exists()
    assert not RelativeAccessCode.objects.filter(relative=relative).exists()
    request = VisitRequest.objects.get()
    assert (request.note, request.wished_time, request.answer) == ("", "", "")
    assert client.get(family.url).status_code == 404
