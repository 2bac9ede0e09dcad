"""Relatives told when plans change (issue 21): a visit cancelled, moved or that did not
happen gives one SMS to the customer relative and each other relative who consented, once
per visit and change, with the card's contact person; consent checked when it is sent,
quiet hours kept."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from customers.models import Consent, ConsentPurpose, Customer, RecipientStatus
from customers.services import consent_withdraw, recipient_change_status
from messaging import services
from messaging.models import SmsMessage, SmsPurpose, SmsStatus
from tests.factories import CareRecipientFactory, ConsentFactory, RelativeFactory, VisitFactory
from tests.sms import recording_backend
from tests.visits.helpers import without_page_link
from visits.change_notices import VisitChange, visit_change_notify
from visits.changes import visit_cancel, visit_move
from visits.logging import visit_log_submit
from visits.selectors import visit_after

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
# Tuesday 10 March 2026, noon in Oslo: inside the sending hours (09–20 by default).
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=OSLO)
CONTACT = "Kontaktperson: Kari Leder, tlf. 91 11 22 22"


@pytest.fixture
def recorder(settings):
    settings.SMS_BACKEND = "tests.sms.recording_backend.RecordingBackend"
    recording_backend.SENT.clear()
    yield recording_backend.SENT
    recording_backend.SENT.clear()


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def family(world, clock):
    """Åse, whose daughter Ingrid ordered; her son Bjørn consented to the summaries too, her
    niece Nora only to reminders. A visit tomorrow (Wednesday) at 11.00."""
    leader = world.home.leader_a.user
    leader.name, leader.phone = "Kari Leder", "+4791112222"
    leader.save()
    recipient = CareRecipientFactory(
        department=world.home.dept_a, status="active", name="Åse Ødegård"
    )
    daughter = RelativeFactory(recipient=recipient, name="Ingrid Ødegård", phone="+4790011223")
    son = RelativeFactory(recipient=recipient, name="Bjørn Ødegård", phone="+4790022334")
    niece = RelativeFactory(recipient=recipient, name="Nora Niese", phone="+4790033445")
    Customer.objects.create(
        organization=world.home.organization,
        recipient=recipient,
        kind="relative",
        relative=daughter,
    )
    ConsentFactory(recipient=recipient, relative=daughter)
    ConsentFactory(recipient=recipient, relative=son)
    ConsentFactory(recipient=recipient, relative=niece, purpose=ConsentPurpose.REMINDER_SMS)
    visit = VisitFactory(
        recipient=recipient,
        senior=world.home.senior_a,
        starts_at=datetime(2026, 3, 11, 11, 0, tzinfo=OSLO),
    )
    return visit, daughter, son, niece


def notices():
    return list(
        SmsMessage.objects.filter(purpose=SmsPurpose.VISIT_CHANGE_SMS).order_by("relative__name")
    )


def test_a_cancelled_visit_tells_the_customer_and_each_consenting_relative_once(
    world, family, recorder, django_capture_on_commit_callbacks
):
    visit, daughter, son, _niece = family
    with django_capture_on_commit_callbacks(execute=True):
        visit_cancel(visit=visit, by=world.home.leader_a, kind="customer", reason="Hos legen")
    sent = {m.relative: m for m in notices()}
    assert set(sent) == {daughter, son}  # the niece has no summary consent
    assert without_page_link(sent[daughter].body) == (
        f"Hei Ingrid! Besøket hos Åse onsdag 11. mars kl. 11.00 er avlyst. Hilsen Hjemme\n{CONTACT}"
    ).replace("Hjemme", world.home.organization.name)
    assert sent[son].body.startswith("Hei Bjørn! Besøket hos Åse onsdag 11. mars")
    assert "legen" not in sent[son].body  # the reason may be about health: never in the SMS
    assert {m.status for m in sent.values()} == {SmsStatus.SENT}
    assert sorted(m.to_phone for m in recorder) == ["+4790011223", "+4790022334"]

    # The same change again (a retry, a second call): nothing new.
    visit.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        visit_change_notify(visit=visit, change=VisitChange.CANCELLED)
    assert len(notices()) == 2
    assert len(recorder) == 2


def test_the_contact_person_named_is_the_one_on_the_card(world, family):
    visit, *_ = family
    lead = world.home.lead.user
    lead.name, lead.phone = "Åge Daglig", "+4793334444"
    lead.save()
    visit.recipient.contact_person = world.home.lead
    visit.recipient.save(update_fields=["contact_person"])
    visit_cancel(visit=visit, by=world.home.leader_a, kind="customer", reason="Bortreist")
    for message in notices():
        assert without_page_link(message.body).endswith(
            "Kontaktperson: Åge Daglig, tlf. 93 33 44 44"
        )


def test_a_visit_moved_twice_gives_two_notices_and_the_same_move_again_none(world, family, clock):
    visit, daughter, son, _niece = family
    leader = world.home.leader_a
    visit_move(visit=visit, by=leader, starts_at=datetime(2026, 3, 12, 13, 0, tzinfo=OSLO))
    clock.shift(timedelta(minutes=5))
    visit_move(visit=visit, by=leader, starts_at=datetime(2026, 3, 13, 10, 0, tzinfo=OSLO))
    clock.shift(timedelta(minutes=5))
    visit_move(visit=visit, by=leader, starts_at=datetime(2026, 3, 13, 10, 0, tzinfo=OSLO))
    to_daughter = [without_page_link(m.body) for m in notices() if m.relative == daughter]
    assert len(to_daughter) == 2
    assert sorted(to_daughter) == sorted(
        [
            "Hei Ingrid! Besøket hos Åse onsdag 11. mars kl. 11.00 er flyttet til torsdag "
            f"12. mars kl. 13.00-14.00. Hilsen {world.home.organization.name}\n{CONTACT}",
            "Hei Ingrid! Besøket hos Åse torsdag 12. mars kl. 13.00 er flyttet til fredag "
            f"13. mars kl. 10.00-11.00. Hilsen {world.home.organization.name}\n{CONTACT}",
        ]
    )
    assert len([m for m in notices() if m.relative == son]) == 2
    # The visit's pages list them with the visit's other SMS.
    assert len([m for m in visit_after(visit).sms if m.purpose == "visit_change_sms"]) == 4


def test_a_visit_that_did_not_happen_is_told(world, family, clock):
    visit, daughter, son, _niece = family
    clock.move_to(datetime(2026, 3, 11, 13, 0, tzinfo=OSLO))
    visit_log_submit(
        visit=visit,
        by=world.home.senior_a,
        submission_key=uuid.uuid4(),
        happened=False,
        not_happened_reason="Ingen åpnet døren",
    )
    sent = {m.relative: m.body for m in notices()}
    assert set(sent) == {daughter, son}
    assert sent[daughter].startswith(
        "Hei Ingrid! Besøket hos Åse onsdag 11. mars kl. 11.00 ble ikke noe av."
    )
    assert "døren" not in sent[daughter]
    visit.refresh_from_db()
    visit_change_notify(visit=visit, change=VisitChange.NOT_HAPPENED)
    assert len(notices()) == 2


def test_a_change_late_in_the_evening_goes_out_in_the_morning(
    world, family, clock, recorder, django_capture_on_commit_callbacks
):
    visit, *_ = family
    clock.move_to(datetime(2026, 3, 10, 23, 0, tzinfo=OSLO))
    with django_capture_on_commit_callbacks(execute=True):
        visit_cancel(visit=visit, by=world.home.leader_a, kind="senior", reason="Syk")
    morning = datetime(2026, 3, 11, 9, 0, tzinfo=OSLO)
    assert {m.send_after for m in notices()} == {morning}
    assert {m.status for m in notices()} == {SmsStatus.QUEUED}
    assert recorder == []
    clock.move_to(datetime(2026, 3, 11, 9, 0, 30, tzinfo=OSLO))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sms_sweep()["enqueued"] == 2
    assert {m.status for m in notices()} == {SmsStatus.SENT}
    assert len(recorder) == 2


def test_consent_withdrawn_before_the_morning_blocks_the_notice(
    world, family, clock, recorder, django_capture_on_commit_callbacks
):
    visit, daughter, son, _niece = family
    clock.move_to(datetime(2026, 3, 10, 22, 0, tzinfo=OSLO))
    visit_cancel(visit=visit, by=world.home.leader_a, kind="senior", reason="Syk")
    clock.move_to(datetime(2026, 3, 10, 22, 30, tzinfo=OSLO))
    consent = Consent.objects.get(relative=son, purpose=ConsentPurpose.VISIT_SUMMARY_SMS)
    consent_withdraw(consent=consent, by=world.home.leader_a.user, note="Vil ikke ha SMS")
    clock.move_to(datetime(2026, 3, 11, 9, 0, 30, tzinfo=OSLO))
    with django_capture_on_commit_callbacks(execute=True):
        services.sms_sweep()
    status = {m.relative: m.status for m in notices()}
    assert status == {daughter: SmsStatus.SENT, son: SmsStatus.BLOCKED_NO_CONSENT}
    assert [m.to_phone for m in recorder] == ["+4790011223"]


def test_the_recipient_who_is_the_customer_is_told_with_their_consent(world, clock):
    recipient = CareRecipientFactory(
        department=world.home.dept_a, status="active", name="Olav Brekke", phone="+4798765432"
    )
    Customer.objects.create(
        organization=world.home.organization, recipient=recipient, kind="recipient"
    )
    ConsentFactory(recipient=recipient)
    visit = VisitFactory(
        recipient=recipient,
        senior=world.home.senior_a,
        starts_at=datetime(2026, 3, 11, 11, 0, tzinfo=OSLO),
    )
    visit_cancel(visit=visit, by=world.home.leader_a, kind="senior", reason="Syk")
    (message,) = notices()
    assert (message.to_phone, message.relative) == ("+4798765432", None)
    assert message.body.startswith("Hei Olav! Besøket ditt onsdag 11. mars kl. 11.00 er avlyst.")


def test_a_relative_without_consent_hears_nothing_even_as_the_customer(world, family):
    visit, daughter, son, _niece = family
    consent_withdraw(
        consent=Consent.objects.get(relative=daughter), by=world.home.leader_a.user, note=""
    )
    visit_cancel(visit=visit, by=world.home.leader_a, kind="customer", reason="Syk")
    assert [m.relative for m in notices()] == [son]


def test_the_relatives_page_is_linked(world, family, monkeypatch):
    visit, daughter, son, _niece = family
    monkeypatch.setattr(
        "visits.feedback.relative_page_url",
        lambda *, relative, now: f"https://example.test/p/{relative.pk}",
    )
    visit_cancel(visit=visit, by=world.home.leader_a, kind="customer", reason="Syk")
    for message in notices():
        assert message.body.endswith(
            f"{CONTACT}\nSe besøkene: https://example.test/p/{message.relative_id}"
        )


def test_old_visits_and_plan_level_cancellations_send_nothing(world, family, clock):
    visit, *_ = family
    clock.move_to(datetime(2026, 3, 14, 12, 0, tzinfo=OSLO))  # three days after the visit
    visit_cancel(visit=visit, by=world.home.leader_a, kind="other", reason="Ryddet")
    assert notices() == []
    upcoming = VisitFactory(
        recipient=visit.recipient,
        senior=world.home.senior_a,
        starts_at=datetime(2026, 3, 16, 11, 0, tzinfo=OSLO),
    )
    recipient_change_status(
        recipient=visit.recipient,
        by=world.home.leader_a,
        to_status=RecipientStatus.PAUSED,
        reason="På sykehus",
    )
    upcoming.refresh_from_db()
    assert upcoming.status == "cancelled"
    assert notices() == []  # pausing is agreed with the customer: no SMS per visit


def test_the_leader_is_told_who_gets_the_sms(world, family, client_for):
    visit, *_ = family
    client = client_for(world.home.leader_a)
    answer = client.post(
        f"/besok/{visit.pk}/avlys/", {"kind": "customer", "reason": "Syk"}, follow=True
    )
    assert "SMS om endringen går til Ingrid Ødegård, Bjørn Ødegård." in answer.content.decode()
    alone = VisitFactory(
        recipient=CareRecipientFactory(department=world.home.dept_a, status="active"),
        senior=world.home.senior_a,
        starts_at=datetime(2026, 3, 12, 11, 0, tzinfo=OSLO),
    )
    answer = client.post(
        f"/besok/{alone.pk}/flytt/",
        {"date": "2026-03-13", "start_time": "12:00", "duration_minutes": "60"},
        follow=True,
    )
    assert "Ingen får SMS om endringen." in answer.content.decode()
