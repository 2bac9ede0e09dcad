"""What the relative's own page shows, read afresh on every opening.

The coming visits (when, and the senior's first name: never the senior's surname or
phone), the notebook entries the senior marked as shared (only "what went well", and
only while the relative's notebook-sharing consent is active: withdrawn between the SMS
and the click, the notebook is gone), the contact person, the relative's own consents and
their requests with the leader's answers. Never "what could change", never the interview.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from customers.consent import consent_is_active
from customers.contacts import contact_person
from customers.models import Consent, ConsentPurpose, Relative
from family.models import VisitRequest
from family.services import may_cancel_self
from seniorene.accounts.models import Membership
from visits.models import ACTIVE_STATUSES, Visit, VisitLog

VISIT_WEEKS = 8
VISIT_LIMIT = 20
NOTEBOOK_LIMIT = 10


@dataclass(frozen=True)
class PageVisit:
    pk: int
    starts_at: datetime
    duration_minutes: int
    senior_first_name: str
    may_cancel: bool


@dataclass(frozen=True)
class NotebookEntry:
    at: datetime
    went_well: str


@dataclass(frozen=True)
class PageContent:
    recipient_first_name: str
    visits: list[PageVisit]
    notebook: list[NotebookEntry] | None  # None: no notebook-sharing consent
    contact: Membership | None
    consents: list[Consent]
    requests: list[VisitRequest]


def first_name(name: str) -> str:
    name = name.strip()
    return name.split(" ")[0] if name else ""


def coming_visits(*, relative: Relative, now: datetime) -> list[PageVisit]:
    rows = (
        Visit.objects.filter(
            recipient_id=relative.recipient_id,
            status__in=ACTIVE_STATUSES,
            starts_at__gt=now,
            starts_at__lt=now + timedelta(weeks=VISIT_WEEKS),
        )
        .select_related("senior__user")
        .order_by("starts_at", "pk")[:VISIT_LIMIT]
    )
    return [
        PageVisit(
            pk=v.pk,
            starts_at=v.starts_at,
            duration_minutes=v.duration_minutes,
            senior_first_name=first_name(v.senior.user.name),
            may_cancel=may_cancel_self(visit=v, now=now),
        )
        for v in rows
    ]


def shared_notebook(*, relative: Relative, now: datetime) -> list[NotebookEntry] | None:
    if not consent_is_active(
        recipient_id=relative.recipient_id,
        relative_id=relative.pk,
        purpose=ConsentPurpose.NOTEBOOK_SHARING,
        at=now,
    ):
        return None
    logs = (
        VisitLog.objects.filter(
            recipient_id=relative.recipient_id, share_with_relatives=True, happened=True
        )
        .exclude(went_well="")
        .order_by("-visit__starts_at", "-pk")
        .values_list("visit__starts_at", "went_well")[:NOTEBOOK_LIMIT]
    )
    return [NotebookEntry(at=at, went_well=text) for at, text in logs]


def page_content(*, relative: Relative, now: datetime) -> PageContent:
    recipient = relative.recipient
    consents = list(
        Consent.objects.filter(
            recipient_id=recipient.pk, relative=relative, withdrawn_at__isnull=True
        )
        .filter(given_at__lte=now)
        .order_by("purpose", "pk")
    )
    requests = list(
        VisitRequest.objects.filter(relative=relative)
        .select_related("visit")
        .order_by("-created_at", "-pk")[:10]
    )
    return PageContent(
        recipient_first_name=first_name(recipient.name),
        visits=coming_visits(relative=relative, now=now),
        notebook=shared_notebook(relative=relative, now=now),
        contact=contact_person(recipient),
        consents=consents,
        requests=requests,
    )
