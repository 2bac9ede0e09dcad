"""Recipients whose relatives are asked, and logged visits, for the evaluation's tests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from customers import services as customer_services
from customers.models import ConsentPurpose, CustomerKind, RecipientStatus
from evaluations.models import Evaluation, EvaluationReason
from evaluations.services import LINK_DAYS, evaluations_send_run, token_hash
from seniorene.jobs.registry import Tally
from tests.factories import CareRecipientFactory, RelativeFactory, VisitFactory
from visits.models import VisitStatus

OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


def customer_relative(cast, *, consent: bool = True, dept=None, leader=None):
    """An active recipient whose customer is a relative with a mobile number (and, by default,
    the visit-summary consent). Returns (recipient, relative)."""
    leader = leader or cast.leader_a
    recipient = CareRecipientFactory(
        department=dept or cast.dept_a, status=RecipientStatus.ACTIVE, name="Åse Lunde"
    )
    relative = RelativeFactory(recipient=recipient, name="Ingrid Lunde", phone="+4790011223")
    customer_services.customer_set(
        recipient=recipient, by=leader, kind=CustomerKind.RELATIVE, data={"relative": relative}
    )
    if consent:
        customer_services.consent_give(
            recipient=recipient,
            by=leader,
            relative=relative,
            purpose=ConsentPurpose.VISIT_SUMMARY_SMS,
            given_by="recipient",
            method="verbal",
            given_at=oslo(2026, 1, 1, 9),
        )
    return recipient, relative


def log_visits(recipient, senior, *, count: int, first: dt.datetime) -> list:
    """`count` logged visits, one a week from `first`."""
    return [
        VisitFactory(
            recipient=recipient,
            senior=senior,
            starts_at=first + dt.timedelta(weeks=n),
            status=VisitStatus.LOGGED,
        )
        for n in range(count)
    ]


def run_job(cast, now: dt.datetime) -> Tally:
    tally = Tally()
    evaluations_send_run(organization_id=cast.organization.pk, day=now.date(), now=now, tally=tally)
    return tally


def an_evaluation(
    recipient, *, relative=None, token: str, at: dt.datetime, number: int = 1, **answer
):
    """An evaluation made directly (no SMS), with the link `token`."""
    return Evaluation.objects.create(
        organization_id=recipient.organization_id,
        recipient=recipient,
        relative=relative,
        asked_recipient=relative is None,
        department_id=recipient.department_id,
        reason=EvaluationReason.AFTER_FOURTH_VISIT,
        number=number,
        token_hash=token_hash(token),
        created_at=at,
        expires_at=at + dt.timedelta(days=LINK_DAYS),
        **answer,
    )


def populate_evaluations_tables(world) -> None:
    """A row in each evaluations table, for tests/isolation/test_database_wall.py."""
    recipient, relative = customer_relative(world.home)
    an_evaluation(recipient, relative=relative, token="W" * 32, at=oslo(2026, 3, 2, 9, 10))


def sample_answered(cast, who, dept) -> dict:
    """An answered evaluation of a recipient in `dept`, for tests/isolation/registry.py."""
    recipient = CareRecipientFactory(department=dept, status=RecipientStatus.ACTIVE)
    evaluation = an_evaluation(
        recipient,
        token=f"S{recipient.pk:031d}",
        at=oslo(2026, 3, 2, 9, 10),
        answered_at=oslo(2026, 3, 3, 9, 10),
        satisfaction=2,
        helps="partly",
        comment="Kom for sent",
    )
    return {"pk": evaluation.pk}
