from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from customers.models import ConsentPurpose, RecipientStatus
from tests.factories import CareRecipientFactory, ConsentFactory, VisitFactory

OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


def recipient_in(cast, *, consent: bool = True, phone: str = "+4791234567", dept=None):
    """An active recipient of department A with a mobile number and (by default) consent
    to reminders, assigned to senior_a."""
    recipient = CareRecipientFactory(
        department=dept or cast.dept_a,
        status=RecipientStatus.ACTIVE,
        phone=phone,
        seniors=[cast.senior_a],
    )
    if consent:
        ConsentFactory(recipient=recipient, relative=None, purpose=ConsentPurpose.REMINDER_SMS)
    return recipient


def visit_at(cast, when: dt.datetime, recipient=None, senior=None, **fields):
    recipient = recipient or recipient_in(cast)
    return VisitFactory(
        recipient=recipient,
        senior=senior or cast.senior_a,
        starts_at=when,
        original_starts_at=when,
        **fields,
    )


@pytest.fixture
def outbox_sms(settings):
    settings.SMS_BACKEND = "outbox"
