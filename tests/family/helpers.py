"""A recipient with a relative who has a page: for the family tests and the isolation suite."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client

from customers.models import CareRecipient, ConsentPurpose, Relative
from customers.relative_access import link_issue
from messaging.models import SmsMessage, SmsPurpose
from seniorene.accounts.models import Department, Membership
from tests.factories import CareRecipientFactory, ConsentFactory, RelativeFactory, VisitFactory
from visits.models import Visit, VisitLog

OSLO = ZoneInfo("Europe/Oslo")
# A Wednesday morning in March, inside the sending hours.
MOMENT = datetime(2027, 3, 10, 10, 0, tzinfo=OSLO)
SENIOR_NAME = "Ragnhild Solbakken"
SENIOR_PHONE = "+4741234567"
SHARED = "Vi gikk tur langs elva og så på endene"
NOT_SHARED = "Snakket om barnebarna"
COULD_CHANGE = "Hun virket sliten mot slutten"


@dataclass
class Family:
    recipient: CareRecipient
    relative: Relative
    senior: Membership
    soon: Visit  # in five hours
    later: Visit  # in three days
    token: str

    @property
    def url(self) -> str:
        return f"/p/{self.token}/"


def make_family(
    cast: Any,
    *,
    department: Department | None = None,
    notebook: bool = True,
    now: datetime = MOMENT,
    phone: str = "+4791234567",
) -> Family:
    """Astrid (active, in department A) visited by `cast.senior_a`; her daughter Ingrid has
    the visit-summary consent (and notebook sharing); one shared, one unshared log; two
    coming visits; and a link issued now."""
    senior = cast.senior_a
    senior.user.name, senior.user.phone = SENIOR_NAME, SENIOR_PHONE
    senior.user.save(update_fields=["name", "phone"])
    leader = cast.leader_a
    leader.user.phone = "+4799887766"
    leader.user.save(update_fields=["phone"])
    recipient = CareRecipientFactory(
        department=department or cast.dept_a,
        name="Astrid Hansen",
        status="active",
        seniors=[senior],
        contact_person=leader,
    )
    relative = RelativeFactory(recipient=recipient, name="Ingrid Hansen", phone=phone)
    purposes = [ConsentPurpose.VISIT_SUMMARY_SMS]
    if notebook:
        purposes.append(ConsentPurpose.NOTEBOOK_SHARING)
    for purpose in purposes:
        ConsentFactory(
            recipient=recipient,
            relative=relative,
            purpose=purpose,
            given_at=now - timedelta(days=60),
            recorded_by=leader.user,
        )
    for days, text, shared in ((7, SHARED, True), (14, NOT_SHARED, False)):
        past = VisitFactory(
            recipient=recipient, senior=senior, starts_at=now - timedelta(days=days)
        )
        past.status = "logged"
        past.save(update_fields=["status"])
        VisitLog.objects.create(
            organization=recipient.organization,
            visit=past,
            recipient=recipient,
            went_well=text,
            could_change=COULD_CHANGE,
            share_with_relatives=shared,
            submission_key=uuid.uuid4(),
            logged_by=senior.user,
        )
    soon = VisitFactory(recipient=recipient, senior=senior, starts_at=now + timedelta(hours=5))
    later = VisitFactory(recipient=recipient, senior=senior, starts_at=now + timedelta(days=3))
    token = link_issue(relative=relative, now=now)
    return Family(recipient, relative, senior, soon, later, token)


def sent_code(relative: Relative) -> str:
    """The code in the last one-time-code SMS to `relative`."""
    message = (
        SmsMessage.objects.filter(relative=relative, purpose=SmsPurpose.ACCESS_CODE_SMS)
        .order_by("-pk")
        .first()
    )
    assert message is not None, "no code was sent"
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found is not None, message.body
    return found.group(1)


def trust_device(client: Client, family: Family) -> None:
    """Confirm `client` as the relative's device through the real code flow."""
    assert client.post(f"{family.url}kode/").status_code == 302
    response = client.post(f"{family.url}kode/sjekk/", {"code": sent_code(family.relative)})
    assert response.status_code == 302, response.content.decode()


# --- Isolation samples (tests/isolation/registry.py) -----------------------------------


def sample_relative(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    recipient = CareRecipientFactory(department=dept, status="active")
    relative = RelativeFactory(recipient=recipient)
    ConsentFactory(recipient=recipient, relative=relative, recorded_by=who.user)
    link_issue(relative=relative, now=datetime.now(tz=OSLO))
    return {"pk": recipient.pk, "relative_pk": relative.pk}


def sample_request(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    from family.models import VisitRequest

    recipient = CareRecipientFactory(department=dept, status="active")
    relative = RelativeFactory(recipient=recipient)
    visit = VisitFactory(recipient=recipient, starts_at=datetime.now(tz=OSLO) + timedelta(hours=5))
    request = VisitRequest.objects.create(
        organization=recipient.organization,
        visit=visit,
        recipient=recipient,
        relative=relative,
        kind="move",
        wished_time="Torsdag",
        created_at=datetime.now(tz=OSLO),
    )
    return {"pk": request.pk}


def populate_family_tables(world: Any) -> None:
    """A row in each table of the relative's page (the database-wall suite)."""
    from customers.models import RelativeLink
    from customers.relative_access import code_check, code_issue
    from family.models import VisitRequest

    now = datetime.now(tz=OSLO)
    family = make_family(world.home, now=now)
    link = RelativeLink.objects.get(relative=family.relative)
    _row, code = code_issue(link=link, now=now)
    code_check(link=link, code=code, now=now)
    code_issue(link=link, now=now)
    VisitRequest.objects.create(
        organization=family.recipient.organization,
        visit=family.soon,
        recipient=family.recipient,
        relative=family.relative,
        kind="move",
        created_at=now,
    )
