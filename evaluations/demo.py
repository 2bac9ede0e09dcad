"""Demo evaluations: Ingrid (Astrid Ødegaard's daughter, the customer) has answered, with a
comment, so *Følg opp* shows one answer; Mona (Even Ødegård's wife) has not answered yet."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone

from customers.models import CareRecipient
from customers.services import current_customer
from evaluations.models import Evaluation, EvaluationReason, Helps
from evaluations.services import LINK_DAYS, token_hash
from seniorene.accounts.demo import DemoOrg

# (recipient, days since sent, answer: satisfaction, helps, comment; None = not answered)
DEMO = [
    (
        "Astrid Ødegaard",
        10,
        (4, Helps.YES, "Mor blir så glad når Ragnhild kommer. Kunne de gått tur litt oftere?"),
    ),
    ("Even Ødegård", 3, None),
]


def seed(orgs: dict[str, DemoOrg]) -> None:
    org = orgs["seniorene"].organization
    now = timezone.now()
    for name, days_ago, answer in DEMO:
        recipient = CareRecipient.objects.filter(organization=org, name=name).first()
        if recipient is None or Evaluation.objects.filter(recipient=recipient).exists():
            continue
        customer = current_customer(recipient)
        sent = now - timedelta(days=days_ago)
        evaluation = Evaluation(
            organization=org,
            recipient=recipient,
            relative=customer.relative if customer else None,
            asked_recipient=customer is None or customer.relative is None,
            department_id=recipient.department_id,
            reason=EvaluationReason.AFTER_FOURTH_VISIT,
            number=1,
            token_hash=token_hash(secrets.token_urlsafe(24)),
            created_at=sent,
            expires_at=sent + timedelta(days=LINK_DAYS),
        )
        if answer is not None:
            evaluation.satisfaction, evaluation.helps, evaluation.comment = answer
            evaluation.answered_at = sent + timedelta(days=1, hours=3)
        evaluation.save()
