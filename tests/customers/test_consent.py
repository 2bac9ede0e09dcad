"""Consent (R4/R5): given, withdrawn, never overwritten; one gate answers for every sender."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers import services
from customers.consent import consent_is_active, may_send
from customers.models import Consent, ConsentPurpose, RecipientStatus
from tests.factories import CareRecipientFactory, ConsentFactory, RelativeFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
SMS = ConsentPurpose.VISIT_SUMMARY_SMS


def test_a_leader_records_consent_for_a_relative(world, client_for):
    relative = RelativeFactory(recipient__department=world.home.dept_a)
    recipient = relative.recipient
    response = client_for(world.home.leader_a).post(
        f"/brukere/{recipient.pk}/samtykke/ny/",
        {"person": relative.pk, "purpose": SMS, "given_by": "recipient", "method": "written"},
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.relative, consent.purpose, consent.method) == (relative, SMS, "written")
    assert consent.recorded_by == world.home.leader_a.user
    assert may_send(recipient_id=recipient.pk, relative_id=relative.pk, purpose=SMS)
    # Not for another purpose, nor for the recipient themself.
    assert not may_send(
        recipient_id=recipient.pk, relative_id=relative.pk, purpose=ConsentPurpose.REMINDER_SMS
    )
    assert not may_send(recipient_id=recipient.pk, relative_id=None, purpose=SMS)


def test_a_legal_representative_must_be_named(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    html = (
        client_for(world.home.leader_a)
        .post(
            f"/brukere/{recipient.pk}/samtykke/ny/",
            {
                "person": "self",
                "purpose": SMS,
                "given_by": "legal_representative",
                "method": "verbal",
            },
        )
        .content.decode()
    )
    assert "Skriv navnet på vergen eller fullmektigen." in html
    assert not Consent.objects.exists()


def test_withdrawal_keeps_the_history_and_a_new_consent_is_a_new_row(world, client_for):
    relative = RelativeFactory(recipient__department=world.home.dept_a)
    recipient = relative.recipient
    client = client_for(world.home.leader_a)
    data = {"person": relative.pk, "purpose": SMS, "given_by": "recipient", "method": "verbal"}
    client.post(f"/brukere/{recipient.pk}/samtykke/ny/", data)
    first = Consent.objects.get()
    client.post(f"/brukere/{recipient.pk}/samtykke/{first.pk}/trekk/", {"note": "Ringte"})
    first.refresh_from_db()
    assert first.withdrawn_at is not None
    assert first.withdrawn_by == world.home.leader_a.user
    assert not may_send(recipient_id=recipient.pk, relative_id=relative.pk, purpose=SMS)
    client.post(f"/brukere/{recipient.pk}/samtykke/ny/", data)
    assert Consent.objects.count() == 2
    assert may_send(recipient_id=recipient.pk, relative_id=relative.pk, purpose=SMS)
    html = client.get(f"/brukere/{recipient.pk}/").content.decode()
    assert "Trukket" in html
    assert "Gyldig" in html


def test_giving_the_same_consent_twice_keeps_one_active_row(world):
    relative = RelativeFactory(recipient__department=world.home.dept_a)
    for _ in range(2):
        services.consent_give(
            recipient=relative.recipient,
            by=world.home.leader_a,
            relative=relative,
            purpose=SMS,
            given_by="recipient",
            method="verbal",
        )
    assert Consent.objects.count() == 1


def test_an_ended_recipient_gets_no_messages_whatever_the_consent(world):
    consent = ConsentFactory(recipient__department=world.home.dept_a)
    recipient = consent.recipient
    assert may_send(recipient_id=recipient.pk, relative_id=None, purpose=SMS)
    recipient.status = RecipientStatus.ENDED
    recipient.save()
    assert not may_send(recipient_id=recipient.pk, relative_id=None, purpose=SMS)


# --- Property: the gate says yes exactly when an unwithdrawn consent exists then. ---

events = st.lists(
    st.tuples(
        st.sampled_from(["give", "withdraw"]),
        st.sampled_from([None, "rel"]),  # the recipient themself, or the relative
        st.sampled_from([SMS, ConsentPurpose.REMINDER_SMS]),
        st.integers(min_value=1, max_value=50),  # hours after the previous event
    ),
    max_size=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=events, probe_hours=st.lists(st.integers(0, 400), min_size=1, max_size=6))
def test_the_gate_answers_yes_exactly_when_an_unwithdrawn_consent_exists(
    world, history, probe_hours
):
    Consent.objects.all().delete()
    relative = RelativeFactory(recipient__department=world.home.dept_a)
    recipient = relative.recipient
    by = world.home.leader_a
    # The model: (person, purpose) -> list of (given_at, withdrawn_at or None)
    model: dict[tuple, list[list]] = {}
    now = T0
    for action, who, purpose, hours in history:
        now += timedelta(hours=hours)
        person = relative if who == "rel" else None
        key = (who, purpose)
        periods = model.setdefault(key, [])
        active = [p for p in periods if p[1] is None]
        if action == "give" and not active:
            services.consent_give(
                recipient=recipient,
                by=by,
                relative=person,
                purpose=purpose,
                given_by="recipient",
                method="verbal",
                given_at=now,
            )
            periods.append([now, None])
        elif action == "withdraw" and active:
            consent = Consent.objects.get(
                recipient=recipient, relative=person, purpose=purpose, withdrawn_at__isnull=True
            )
            services.consent_withdraw(consent=consent, by=by.user, at=now)
            active[0][1] = now
    for hours in probe_hours:
        at = T0 + timedelta(hours=hours)
        for who in (None, "rel"):
            for purpose in (SMS, ConsentPurpose.REMINDER_SMS):
                expected = any(
                    start <= at and (end is None or end > at)
                    for start, end in model.get((who, purpose), [])
                )
                relative_id = relative.pk if who == "rel" else None
                assert (
                    consent_is_active(
                        recipient_id=recipient.pk, relative_id=relative_id, purpose=purpose, at=at
                    )
                    is expected
                )
