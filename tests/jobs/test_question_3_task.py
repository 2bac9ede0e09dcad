"""Issue 19: question 3 of the Bli kjent interview drives a task before the first visit.

The relative calls → an SMS to the relative the day before the first visit of the first
plan (consent-gated, once per plan); the senior calls → "Ring før første besøk" on that
visit for the senior, until it starts.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
import time_machine

from customers.models import ConsentPurpose, Relation
from messaging.models import SmsAudience, SmsMessage, SmsPurpose, SmsStatus
from omsorg.models import InterviewStatus
from seniorene.jobs.services import job_execute
from tests.factories import (
    ConsentFactory,
    IntakeInterviewFactory,
    RelativeFactory,
    VisitFactory,
    VisitPlanFactory,
)
from tests.jobs.conftest import oslo, recipient_in
from visits.changes import visit_cancel
from visits.first_visit import calls_before_first_visit

pytestmark = pytest.mark.django_db

MORNING = oslo(2026, 3, 10, 8, 0)  # Tuesday: people, plans and visits are made then
EVENING = oslo(2026, 3, 10, 17, 5)  # the job's hour, the day before the first visit
FIRST = oslo(2026, 3, 11, 11, 0)  # Wednesday: the first visit
SECOND = oslo(2026, 3, 18, 11, 0)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def run(world, *, now: dt.datetime, day=None, callbacks=None):
    ctx = callbacks(execute=True) if callbacks else contextlib.nullcontext()
    with time_machine.travel(now, tick=False), ctx:
        return job_execute(
            organization_id=world.home.organization.pk, job="prepare_call", day=day, now=now
        )


def setup(world, *, preparer: str, consent: bool = True):
    """A recipient named Åse, her daughter Kari (question 4), an interview with `preparer`
    for question 3, and a plan whose first visit is tomorrow 11.00 with senior_a."""
    recipient = recipient_in(world.home, consent=False)
    recipient.name = "Åse Ødegård"
    recipient.save()
    kari = RelativeFactory(
        recipient=recipient,
        name="Kari Ødegård",
        relation=Relation.CHILD,
        phone="+4798765432",
        contact_during_visits=True,
    )
    RelativeFactory(recipient=recipient, name="Per Ødegård", phone="+4791112223")
    IntakeInterviewFactory(
        recipient=recipient,
        senior=world.home.senior_a,
        starts_at=oslo(2026, 3, 2, 11, 0),
        status=InterviewStatus.COMPLETED,
        completed_at=oslo(2026, 3, 2, 12, 0),
        q3_prepared_by=preparer,
        q4_contact_name="Kari (datter)",
        q4_contact_phone="987 65 432",
    )
    if consent:
        ConsentFactory(recipient=recipient, relative=kari, purpose=ConsentPurpose.REMINDER_SMS)
    plan = VisitPlanFactory(recipient=recipient, senior=world.home.senior_a)
    first = VisitFactory(
        recipient=recipient, senior=world.home.senior_a, plan=plan, starts_at=FIRST,
        original_starts_at=FIRST,
    )  # fmt: skip
    second = VisitFactory(
        recipient=recipient, senior=world.home.senior_a, plan=plan, starts_at=SECOND,
        original_starts_at=SECOND,
    )  # fmt: skip
    return recipient, kari, plan, first, second


# --- The relative calls: the SMS -----------------------------------------------------------


def test_the_relative_gets_one_sms_the_day_before_the_first_visit(
    world, outbox_sms, django_capture_on_commit_callbacks
):
    recipient, kari, plan, first, _second = setup(world, preparer="relative")
    # The evening two days before: nothing (the first visit is not tomorrow).
    assert run(world, now=EVENING - dt.timedelta(days=1))["handled"] == 0
    assert not SmsMessage.objects.exists()
    result = run(world, now=EVENING, callbacks=django_capture_on_commit_callbacks)
    assert result == {"handled": 1, "skipped": 0, "failed": 0}
    message = SmsMessage.objects.get()
    assert (message.purpose, message.audience) == (SmsPurpose.REMINDER_SMS, SmsAudience.RELATIVE)
    assert (message.relative_id, message.to_phone) == (kari.pk, "+4798765432")
    assert message.idempotency_key == f"prepare-call:{plan.pk}"
    assert message.status == SmsStatus.SENT
    name = world.home.senior_a.user.get_short_name().split()[0]
    assert message.body.startswith(
        f"I morgen, onsdag 11. mars kl. 11.00, kommer {name} fra "
        f"{world.home.organization.name} på første besøk hos Åse. "
        "Husk å ringe Åse og forberede besøket."
    )
    # Run again (a redelivery): nothing new. The week after (the second visit): nothing.
    again = run(world, now=EVENING + dt.timedelta(minutes=5))
    assert again == {"handled": 0, "skipped": 1, "failed": 0}
    assert run(world, now=EVENING + dt.timedelta(days=7))["handled"] == 0
    assert SmsMessage.objects.count() == 1


def test_no_sms_without_the_relatives_consent(world, outbox_sms):
    setup(world, preparer="relative", consent=False)
    # The recipient's own reminder consent is not the relative's.
    result = run(world, now=EVENING)
    assert result == {"handled": 0, "skipped": 1, "failed": 0}
    assert not SmsMessage.objects.exists()


def test_consent_withdrawn_before_sending_stops_it(
    world, outbox_sms, django_capture_on_commit_callbacks, settings
):
    from customers.models import Consent

    _recipient, kari, _plan, _first, _second = setup(world, preparer="relative")
    run(world, now=EVENING)  # queued; the send task has not run
    Consent.objects.filter(relative=kari).update(withdrawn_at=EVENING + dt.timedelta(minutes=1))
    from messaging.services import sms_send

    with time_machine.travel(EVENING + dt.timedelta(minutes=2), tick=False):
        sms_send(message_id=SmsMessage.objects.get().pk)
    assert SmsMessage.objects.get().status == SmsStatus.BLOCKED_NO_CONSENT


def test_no_sms_when_the_senior_calls(world, outbox_sms):
    setup(world, preparer="senior")
    assert run(world, now=EVENING)["handled"] == 0
    assert not SmsMessage.objects.exists()


def test_a_cancelled_first_visit_passes_the_task_to_the_next_one(
    world, outbox_sms, django_capture_on_commit_callbacks
):
    _recipient, _kari, plan, first, second = setup(world, preparer="relative")
    visit_cancel(visit=first, by=world.home.leader_a, kind="customer", reason="Syk")
    assert run(world, now=EVENING)["handled"] == 0
    run(world, now=EVENING + dt.timedelta(days=7), callbacks=django_capture_on_commit_callbacks)
    message = SmsMessage.objects.get()
    assert (message.visit_id, message.idempotency_key) == (second.pk, f"prepare-call:{plan.pk}")


# --- The senior calls: "Ring før første besøk" ---------------------------------------------


def test_the_senior_sees_ring_for_forste_besok_on_the_first_visit_only(world, client_for):
    recipient, _kari, _plan, first, second = setup(world, preparer="senior")
    recipient.phone = "+4722334455"
    recipient.save()
    client = client_for(world.home.senior_a)
    agenda = client.get("/mine-besok/").content.decode()
    assert agenda.count("Ring før første besøk") == 1
    card = agenda.index(f'data-visit-id="{first.pk}"')
    assert agenda.index("Ring før første besøk") > card
    assert agenda.index("Ring før første besøk") < agenda.index(f'data-visit-id="{second.pk}"')
    assert 'href="tel:+4722334455"' in agenda
    page = client.get(f"/mine-besok/{first.pk}/").content.decode()
    assert "Ring før første besøk" in page
    assert "Ring Åse Ødegård, 22 33 44 55" in page
    assert "Ring før første besøk" not in client.get(f"/mine-besok/{second.pk}/").content.decode()


def test_the_call_is_gone_once_the_visit_has_started(world, client_for):
    _recipient, _kari, _plan, first, _second = setup(world, preparer="senior")
    client = client_for(world.home.senior_a)
    with time_machine.travel(FIRST + dt.timedelta(minutes=1), tick=False):
        assert (
            "Ring før første besøk" not in client.get(f"/mine-besok/{first.pk}/").content.decode()
        )
        assert "Ring før første besøk" not in client.get("/mine-besok/").content.decode()


def test_no_call_button_when_the_relative_calls(world, client_for):
    _recipient, _kari, _plan, first, _second = setup(world, preparer="relative")
    client = client_for(world.home.senior_a)
    assert "Ring før første besøk" not in client.get(f"/mine-besok/{first.pk}/").content.decode()


def test_only_the_visits_senior_is_asked_to_call(world):
    _recipient, _kari, _plan, first, _second = setup(world, preparer="senior")
    assert calls_before_first_visit(senior_id=world.home.senior_a.pk, visits=[first])
    assert not calls_before_first_visit(senior_id=world.home.senior_a2.pk, visits=[first])


def test_a_later_plans_first_visit_is_not_the_first_visit(world, client_for):
    recipient, _kari, _plan, first, _second = setup(world, preparer="senior")
    later = VisitPlanFactory(recipient=recipient, senior=world.home.senior_a)
    visit = VisitFactory(
        recipient=recipient, senior=world.home.senior_a, plan=later,
        starts_at=oslo(2026, 3, 12, 11), original_starts_at=oslo(2026, 3, 12, 11),
    )  # fmt: skip
    assert set(
        calls_before_first_visit(senior_id=world.home.senior_a.pk, visits=[first, visit])
    ) == {first.pk}
