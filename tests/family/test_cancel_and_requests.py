"""From their own page a relative cancels a visit more than 24 hours ahead, or asks the
leader to cancel or move it; the leader answers from *Følg opp* and the answer shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache

from family import services as family_services
from family.models import RequestStatus, VisitRequest
from ledger.export import export_rows
from ledger.models import TimeEntry
from seniorene.audit.models import AuditEvent
from tests.family.helpers import MOMENT, make_family, trust_device
from visits.change_notices import VisitChange
from visits.models import CancelKind, VisitStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def family(world):
    with time_machine.travel(MOMENT, tick=False):
        yield make_family(world.home)


@pytest.fixture
def notified(monkeypatch):
    """What `visit_change_notify` (the change notices to relatives, issue 21) was asked."""
    calls: list[tuple[int, VisitChange]] = []
    monkeypatch.setattr(
        family_services,
        "visit_change_notify",
        lambda *, visit, change: calls.append((visit.pk, change)),
    )
    return calls


def test_more_than_24_hours_ahead_the_relative_cancels_and_everyone_is_told(
    family, client, notified, django_capture_on_commit_callbacks
):
    senior, leader = family.senior, family.recipient.contact_person
    trust_device(client, family)
    url = f"{family.url}besok/{family.later.pk}/"
    page = client.get(url).content.decode()
    assert "Avlys besøket" in page
    assert "Ragnhild kommer" in page
    response = client.post(url, {"action": "cancel", "note": ""})
    assert response.status_code == 400  # a reason is required
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "cancel", "note": "Mor er på sykehus"})
    assert response.status_code == 302
    visit = family.later
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED
    assert visit.cancel_kind == CancelKind.CUSTOMER
    assert "Mor er på sykehus" in visit.cancel_reason
    assert "Ingrid Hansen" in visit.cancel_reason
    assert visit.cancelled_at == MOMENT
    assert notified == [(visit.pk, VisitChange.CANCELLED)]
    told = {m.to[0]: m for m in mail.outbox}
    assert set(told) == {senior.user.email, leader.user.email}
    assert "Du skal ikke dra dit" in told[senior.user.email].body
    assert "Astrid" not in told[senior.user.email].body  # staff notices name no recipient
    assert "avlyst av de pårørende" in told[leader.user.email].body
    event = AuditEvent.objects.get(action="visit.cancelled")
    assert event.actor is None
    assert event.details["relative"] == family.relative.pk
    # Never invoiced: no hours, km or outlay for it, and nothing in the month's export.
    assert not TimeEntry.objects.filter(source="visit", source_id=visit.pk).exists()
    rows = export_rows(organization_id=visit.organization_id, month=MOMENT.date())
    assert rows == []
    # The page no longer lists it.
    with time_machine.travel(MOMENT, tick=False):
        assert f"besok/{visit.pk}/" not in client.get(family.url).content.decode()


def test_closer_than_24_hours_the_relative_can_only_ask(family, client, notified):
    trust_device(client, family)
    url = f"{family.url}besok/{family.soon.pk}/"
    page = client.get(url).content.decode()
    assert "Avlys besøket" not in page
    assert "Be om å avlyse besøket" in page
    response = client.post(url, {"action": "cancel", "note": "Vil avlyse"})
    assert response.status_code == 400
    family.soon.refresh_from_db()
    assert family.soon.status == VisitStatus.PLANNED
    # The service refuses too, whatever the form says.
    with pytest.raises(Exception, match="mindre enn 24 timer"):
        family_services.visit_cancel_by_relative(
            visit=family.soon, relative=family.relative, reason="x", now=MOMENT
        )
    response = client.post(url, {"action": "request_cancel", "note": "Mor er syk i dag"})
    assert response.status_code == 302
    request = VisitRequest.objects.get()
    assert (request.kind, request.status, request.note) == ("cancel", "open", "Mor er syk i dag")
    family.soon.refresh_from_db()
    assert family.soon.status == VisitStatus.PLANNED
    assert notified == []
    assert "Du har bedt om å avlyse dette besøket" in client.get(family.url).content.decode()


def test_a_request_to_move_is_answered_by_the_leader_and_shown_to_the_relative(
    family, client, client_for, django_capture_on_commit_callbacks
):
    trust_device(client, family)
    url = f"{family.url}besok/{family.later.pk}/"
    assert client.post(url, {"action": "move", "wished_time": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "move", "wished_time": "Fredag etter kl. 12"})
    assert response.status_code == 302
    request = VisitRequest.objects.get()
    leader_mail = [m for m in mail.outbox if m.to == [family.recipient.contact_person.user.email]]
    assert len(leader_mail) == 1
    assert "Følg opp" in leader_mail[0].body

    leader = client_for(family.recipient.contact_person)
    follow_up = leader.get("/besok/folg-opp/").content.decode()
    assert "Ønsker fra pårørende" in follow_up
    assert "Ingrid Hansen vil flytte besøket" in follow_up
    card = leader.get(f"/brukere/{family.recipient.pk}/").content.decode()
    assert "Fredag etter kl. 12" in card
    answer_url = f"/besok/onsker/{request.pk}/svar/"
    assert leader.get(answer_url).status_code == 200
    assert leader.post(answer_url, {"answer": ""}).status_code == 400
    response = leader.post(answer_url, {"answer": "Flyttet til fredag kl. 13. Hilsen Kari"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED
    assert request.answered_by == family.recipient.contact_person.user
    assert AuditEvent.objects.filter(action="visit_request.answered").exists()
    assert "Ingrid Hansen vil flytte" not in leader.get("/besok/folg-opp/").content.decode()
    with time_machine.travel(MOMENT + timedelta(hours=1), tick=False):
        page = client.get(family.url).content.decode()
    assert "Flyttet til fredag kl. 13. Hilsen Kari" in page


def test_a_leader_of_another_department_never_sees_or_answers_the_request(
    family, client, client_for, world
):
    trust_device(client, family)
    client.post(f"{family.url}besok/{family.later.pk}/", {"action": "move", "wished_time": "x"})
    request = VisitRequest.objects.get()
    other = client_for(world.home.leader_b)
    assert "Ingrid Hansen" not in other.get("/besok/folg-opp/").content.decode()
    assert other.get(f"/besok/onsker/{request.pk}/svar/").status_code == 404
    assert other.post(f"/besok/onsker/{request.pk}/svar/", {"answer": "Nei"}).status_code == 404
