"""When the evaluation goes: after the fourth logged visit, then every three months; once per
period under a rerun; only with consent; never to an ended or paused recipient; nobody for a
municipality's recipient."""

from __future__ import annotations

import re

import pytest
import time_machine

from customers import services as customer_services
from customers.models import CustomerKind, RecipientStatus
from evaluations.models import Evaluation, EvaluationReason
from messaging.models import SmsMessage, SmsPurpose
from tests.evaluations.helpers import customer_relative, log_visits, oslo, run_job

pytestmark = pytest.mark.django_db

MONDAY = oslo(2026, 2, 2, 11)  # the first visit


def sent_sms():
    return list(SmsMessage.objects.filter(purpose=SmsPurpose.EVALUATION_SMS).order_by("pk"))


def test_it_asks_the_customer_relative_after_the_fourth_visit_not_the_third(world):
    home = world.home
    recipient, relative = customer_relative(home)
    log_visits(recipient, home.senior_a, count=3, first=MONDAY)
    with time_machine.travel(oslo(2026, 2, 20, 9, 10), tick=False):
        run_job(home, oslo(2026, 2, 20, 9, 10))
    assert sent_sms() == []
    log_visits(recipient, home.senior_a, count=1, first=oslo(2026, 2, 23, 11))
    moment = oslo(2026, 2, 24, 9, 10)
    with time_machine.travel(moment, tick=False):
        tally = run_job(home, moment)
    assert tally.handled == 1
    [sms] = sent_sms()
    assert sms.relative_id == relative.pk
    assert sms.to_phone == "+4790011223"
    assert sms.idempotency_key == f"evaluation:{recipient.pk}:1"
    assert "Hei Ingrid! Hvordan går besøkene hos Åse?" in sms.body
    assert "Kontaktperson:" in sms.body
    [evaluation] = Evaluation.objects.all()
    assert evaluation.reason == EvaluationReason.AFTER_FOURTH_VISIT
    assert evaluation.sms_id == sms.pk
    assert evaluation.department_id == home.dept_a.pk
    # The link's secret is in the SMS only; the row keeps its hash.
    token = re.search(r"/evaluering/([A-Za-z0-9_-]+)/", sms.body).group(1)
    assert token not in evaluation.token_hash
    assert evaluation.expires_at == moment + (evaluation.expires_at - evaluation.created_at)
    assert (evaluation.expires_at - evaluation.created_at).days == 30


def test_a_rerun_sends_nothing_new(world):
    home = world.home
    recipient, _relative = customer_relative(home)
    log_visits(recipient, home.senior_a, count=5, first=MONDAY)
    moment = oslo(2026, 3, 9, 9, 10)
    with time_machine.travel(moment, tick=False):
        first = run_job(home, moment)
        second = run_job(home, moment)
    assert (first.handled, second.handled) == (1, 0)
    assert len(sent_sms()) == 1
    assert Evaluation.objects.count() == 1


def test_then_three_months_after_the_last_one_was_sent(world):
    home = world.home
    recipient, _relative = customer_relative(home)
    log_visits(recipient, home.senior_a, count=4, first=MONDAY)
    with time_machine.travel(oslo(2026, 3, 2, 9, 10), tick=False):
        run_job(home, oslo(2026, 3, 2, 9, 10))
    log_visits(recipient, home.senior_a, count=12, first=oslo(2026, 3, 3, 11))
    # The day before three months have passed: nothing.
    with time_machine.travel(oslo(2026, 6, 1, 9, 10), tick=False):
        assert run_job(home, oslo(2026, 6, 1, 9, 10)).handled == 0
    with time_machine.travel(oslo(2026, 6, 2, 9, 10), tick=False):
        assert run_job(home, oslo(2026, 6, 2, 9, 10)).handled == 1
        assert run_job(home, oslo(2026, 6, 2, 9, 10)).handled == 0
    assert [e.reason for e in Evaluation.objects.order_by("number")] == [
        EvaluationReason.AFTER_FOURTH_VISIT,
        EvaluationReason.EVERY_THREE_MONTHS,
    ]
    assert [s.idempotency_key for s in sent_sms()] == [
        f"evaluation:{recipient.pk}:1",
        f"evaluation:{recipient.pk}:2",
    ]


def test_not_again_when_no_visit_was_logged_since(world):
    home = world.home
    recipient, _relative = customer_relative(home)
    log_visits(recipient, home.senior_a, count=4, first=MONDAY)
    with time_machine.travel(oslo(2026, 3, 2, 9, 10), tick=False):
        run_job(home, oslo(2026, 3, 2, 9, 10))
    with time_machine.travel(oslo(2026, 7, 1, 9, 10), tick=False):
        assert run_job(home, oslo(2026, 7, 1, 9, 10)).handled == 0


def test_not_without_consent_and_asked_once_it_is_given(world):
    home = world.home
    recipient, relative = customer_relative(home, consent=False)
    log_visits(recipient, home.senior_a, count=4, first=MONDAY)
    with time_machine.travel(oslo(2026, 3, 2, 9, 10), tick=False):
        assert run_job(home, oslo(2026, 3, 2, 9, 10)).handled == 0
    assert sent_sms() == []
    assert not Evaluation.objects.exists()
    with time_machine.travel(oslo(2026, 3, 3, 8), tick=False):
        customer_services.consent_give(
            recipient=recipient,
            by=home.leader_a,
            relative=relative,
            purpose="visit_summary_sms",
            given_by="recipient",
            method="verbal",
        )
    with time_machine.travel(oslo(2026, 3, 3, 9, 10), tick=False):
        assert run_job(home, oslo(2026, 3, 3, 9, 10)).handled == 1


@pytest.mark.parametrize("status", [RecipientStatus.ENDED, RecipientStatus.PAUSED])
def test_not_for_an_ended_or_paused_recipient(world, status):
    home = world.home
    recipient, _relative = customer_relative(home)
    log_visits(recipient, home.senior_a, count=4, first=MONDAY)
    recipient.status = status
    recipient.save(update_fields=["status"])
    with time_machine.travel(oslo(2026, 3, 2, 9, 10), tick=False):
        assert run_job(home, oslo(2026, 3, 2, 9, 10)).handled == 0
    assert sent_sms() == []


def test_the_recipient_is_asked_when_they_are_the_customer(world):
    home = world.home
    recipient, _relative = customer_relative(home, consent=False)
    recipient.phone = "+4722334455"
    recipient.save(update_fields=["phone"])
    customer_services.customer_set(
        recipient=recipient, by=home.leader_a, kind=CustomerKind.RECIPIENT, data={}
    )
    customer_services.consent_give(
        recipient=recipient,
        by=home.leader_a,
        relative=None,
        purpose="visit_summary_sms",
        given_by="recipient",
        method="verbal",
        given_at=oslo(2026, 1, 1, 9),
    )
    log_visits(recipient, home.senior_a, count=4, first=MONDAY)
    with time_machine.travel(oslo(2026, 3, 2, 9, 10), tick=False):
        assert run_job(home, oslo(2026, 3, 2, 9, 10)).handled == 1
    [sms] = sent_sms()
    assert sms.relative_id is None
    assert sms.to_phone == "+4722334455"
    assert "Hvordan synes du besøkene går?" in sms.body
    assert Evaluation.objects.get().asked_recipient


def test_nobody_is_asked_for_a_municipality_customer(world):
    home = world.home
    recipient, _relative = customer_relative(home)
    customer_services.customer_set(
        recipient=recipient,
        by=home.leader_a,
        kind=CustomerKind.MUNICIPALITY,
        data={"name": "Bærum kommune"},
    )
    log_visits(recipient, home.senior_a, count=6, first=MONDAY)
    with time_machine.travel(oslo(2026, 4, 2, 9, 10), tick=False):
        assert run_job(home, oslo(2026, 4, 2, 9, 10)).handled == 0
    assert sent_sms() == []


def test_the_job_is_registered_for_the_oslo_morning():
    from seniorene.jobs.registry import JOBS

    spec = JOBS["evaluations"]
    assert (spec.schedule.hour, spec.schedule.minute) == ("9", "10")
