"""Seed a large organization in bulk, for `make bench` and `make load`.

`seed_organization(slug, scale=1.0)` makes, at scale 1: 10 departments, 150
seniors (with an authenticator-free login), a leader per department, an admin
and a lead (TOTP enrolled with a known secret), 2 000 recipients with a relative,
a customer and SMS consents, 2 500 weekly or fortnightly plans that began a year
ago (each senior's in their own slots, three or four a weekday, one in forty
double-booked), every visit of that year (nine in ten logged with a notebook entry, the rest
not happened), and a feedback SMS in the outbox for every other logged visit.
Rows go in with bulk_create, so the full size takes a minute or two, not hours.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from customers.models import (
    Assignment,
    CareRecipient,
    Consent,
    ConsentGiver,
    ConsentMethod,
    ConsentPurpose,
    Customer,
    CustomerKind,
    Relation,
    Relative,
)
from messaging.models import SmsAudience, SmsMessage, SmsPurpose, SmsStatus
from omsorg.services import omsorg_seed_defaults
from seniorene.accounts.models import (
    Department,
    Membership,
    MembershipDepartment,
    Organization,
    Role,
    User,
)
from visits.models import Visit, VisitLog, VisitPlan, VisitStatus

OSLO = ZoneInfo("Europe/Oslo")
PASSWORD = "bench-passord-2026"  # noqa: S105 - a throwaway database's demo password
# Staff log in with TOTP; the load driver computes codes from this secret.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - same
FIRST = ["Astrid", "Arne", "Kari", "Ole", "Åse", "Øystein", "Berit", "Nils", "Solveig", "Per"]
LAST = ["Ødegaard", "Bakke", "Ås", "Lunde", "Hansen", "Johansen", "Berg", "Dahl", "Moen", "Vik"]


@dataclass
class Seeded:
    """What the benchmarks and the load driver need from a seeded organization."""

    organization: Organization
    departments: list[Department]
    admin: Membership
    lead: Membership
    leaders: list[Membership]
    seniors: list[Membership]
    recipients: list[CareRecipient] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _name(i: int) -> str:
    return f"{FIRST[i % 10]} {LAST[(i // 10) % 10]} {i}"


def _members(org: Organization, role: str, n: int, prefix: str) -> list[Membership]:
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(email=f"{prefix}{i}@{org.slug}.bench", name=_name(i), password=password)
        for i in range(n)
    )
    return Membership.objects.bulk_create(
        Membership(organization=org, user=u, role=role) for u in users
    )


def analyze() -> None:
    """Give PostgreSQL's planner statistics for the rows just seeded.

    Autovacuum does this within minutes of a bulk load in production; without
    it the planner guesses one row per table and picks plans no live database
    would (a bitmap scan of every row of the organization, say).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _slot_time(n: int) -> time:
    """The `n`th start of a senior's day: 09.00, 10.30, 12.00, …"""
    minutes = 9 * 60 + 90 * n
    return time(min(minutes // 60, 22), minutes % 60)


def _plan_dates(first: date, last: date, weekday: int, every: int) -> list[date]:
    start = first + timedelta(days=(weekday - first.weekday()) % 7)
    out = []
    day = start
    while day <= last:
        out.append(day)
        day += timedelta(weeks=every)
    return out


@transaction.atomic
def seed_organization(slug: str, *, scale: float = 1.0, seed: int = 10) -> Seeded:
    """Create organization `slug` at `scale` × the issue's size (see the module doc)."""
    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not secrets
    now = timezone.now()
    today = timezone.localdate()
    n_seniors, n_recipients, n_plans = (max(10, round(x * scale)) for x in (150, 2000, 2500))

    org = Organization.objects.create(
        name=f"Bench {slug}", slug=slug, quiet_hours_start=0, quiet_hours_end=24
    )
    omsorg_seed_defaults(organization=org)
    departments = Department.objects.bulk_create(
        Department(organization=org, name=f"Avdeling {i + 1:02d}") for i in range(10)
    )
    admin = _members(org, Role.ADMIN, 1, "admin")[0]
    lead = _members(org, Role.LEAD, 1, "lead")[0]
    leaders = _members(org, Role.LEADER, 10, "leader")
    seniors = _members(org, Role.SENIOR, n_seniors, "senior")
    for staff in [admin, lead, *leaders]:
        Authenticator.objects.filter(user=staff.user, type=Authenticator.Type.TOTP).delete()
        TOTP.activate(staff.user, TOTP_SECRET)
    MembershipDepartment.objects.bulk_create(
        [
            *(
                MembershipDepartment(organization=org, membership=m, department=departments[i])
                for i, m in enumerate(leaders)
            ),
            *(
                MembershipDepartment(organization=org, membership=m, department=departments[i % 10])
                for i, m in enumerate(seniors)
            ),
        ]
    )

    recipients = CareRecipient.objects.bulk_create(
        CareRecipient(
            organization=org,
            department=departments[i % 10],
            name=_name(i),
            date_of_birth=date(1930 + i % 20, 1 + i % 12, 1 + i % 28),
            address=f"Storgata {i + 1}",
            postal_code="0450",
            city="Oslo",
            phone=f"+4741{i:06d}",
            status="active",
        )
        for i in range(n_recipients)
    )
    # Recipient i is in department i % 10 and visited by a senior of that department.
    by_dept: dict[int, list[Membership]] = {d.pk: [] for d in departments}
    for i, s in enumerate(seniors):
        by_dept[departments[i % 10].pk].append(s)
    senior_of = {
        r.pk: by_dept[r.department_id][(i // 10) % len(by_dept[r.department_id])]
        for i, r in enumerate(recipients)
    }
    Assignment.objects.bulk_create(
        Assignment(organization=org, recipient=r, senior=senior_of[r.pk]) for r in recipients
    )
    relatives = Relative.objects.bulk_create(
        Relative(
            organization=org,
            recipient=r,
            name=f"Pårørende {i}",
            relation=Relation.CHILD,
            phone=f"+4790{i:06d}",
            ordered_service=True,
        )
        for i, r in enumerate(recipients)
    )
    Customer.objects.bulk_create(
        Customer(organization=org, recipient=r, kind=CustomerKind.RELATIVE, relative=rel)
        for r, rel in zip(recipients, relatives, strict=True)
    )
    recorder = leaders[0].user
    consents = []
    for r, rel in zip(recipients, relatives, strict=True):
        for purpose in (ConsentPurpose.VISIT_SUMMARY_SMS, ConsentPurpose.REMINDER_SMS):
            for relative in (rel, None):
                consents.append(
                    Consent(
                        organization=org,
                        recipient=r,
                        relative=relative,
                        purpose=purpose,
                        given_by=ConsentGiver.RECIPIENT,
                        method=ConsentMethod.VERBAL,
                        given_at=now - timedelta(days=400),
                        recorded_by=recorder,
                    )
                )
    Consent.objects.bulk_create(consents, batch_size=5000)

    first_date = today - timedelta(days=365)
    # Each senior's plans get their own slots, Monday to Friday from 09.00, every
    # hour and a half (a busy senior: three or four visits a day), as a leader
    # books them; one plan in forty is booked on top of the one before it, so the
    # week also shows the double bookings a leader has to sort out.
    slot_of: list[int] = []
    taken: dict[int, int] = defaultdict(int)
    for i in range(n_plans):
        senior_id = senior_of[recipients[i % n_recipients].pk].pk
        if i % 40 == 39 and taken[senior_id]:
            slot_of.append(taken[senior_id] - 1)
        else:
            slot_of.append(taken[senior_id])
            taken[senior_id] += 1
    plans = VisitPlan.objects.bulk_create(
        VisitPlan(
            organization=org,
            recipient=recipients[i % n_recipients],
            senior=senior_of[recipients[i % n_recipients].pk],
            weekdays=1 << (slot_of[i] % 5),
            start_time=_slot_time(slot_of[i] // 5),
            duration_minutes=60,
            every_n_weeks=1 + i % 2,
            first_date=first_date,
            created_by=recorder,
        )
        for i in range(n_plans)
    )

    visits = []
    for i, plan in enumerate(plans):
        weekday = slot_of[i] % 5  # the plan's one weekday bit (Monday = 0)
        dates = _plan_dates(first_date, today - timedelta(days=1), weekday, plan.every_n_weeks)
        for day in dates:
            at = datetime.combine(day, plan.start_time, tzinfo=OSLO)
            visits.append(
                Visit(
                    organization=org,
                    plan=plan,
                    recipient_id=plan.recipient_id,
                    senior_id=plan.senior_id,
                    starts_at=at,
                    original_date=day,
                    original_starts_at=at,
                    duration_minutes=60,
                    status=VisitStatus.LOGGED if rng.random() < 0.9 else VisitStatus.NOT_HAPPENED,
                )
            )
    visits = Visit.objects.bulk_create(visits, batch_size=5000)
    senior_user = {m.pk: m.user_id for m in seniors}
    relative_of = {rel.recipient_id: rel for rel in relatives}
    logs = []
    messages = []
    for v in visits:
        happened = v.status == VisitStatus.LOGGED
        logs.append(
            VisitLog(
                organization=org,
                visit=v,
                recipient_id=v.recipient_id,
                happened=happened,
                not_happened_reason="" if happened else "Brukeren var på sykehus.",
                checked_in_at=v.starts_at if happened else None,
                checked_out_at=v.starts_at + timedelta(hours=1) if happened else None,
                went_well="Vi gikk en tur og snakket om hagen." if happened else "",
                could_change="Kanskje litt tidligere neste gang." if happened else "",
                share_with_relatives=happened,
                submission_key=uuid.UUID(int=rng.getrandbits(128)),
                logged_by_id=senior_user[v.senior_id],
            )
        )
        if happened and v.pk % 2 == 0:
            messages.append(
                SmsMessage(
                    organization=org,
                    to_phone=str(relative_of[v.recipient_id].phone),
                    body="Hei! Besøket i dag gikk fint. Hilsen Seniorene.",
                    purpose=SmsPurpose.VISIT_SUMMARY_SMS,
                    audience=SmsAudience.RELATIVE,
                    recipient_id=v.recipient_id,
                    relative=relative_of[v.recipient_id],
                    visit_id=v.pk,
                    idempotency_key=f"bench-summary-{v.pk}",
                    status=SmsStatus.SENT,
                    send_after=v.starts_at + timedelta(hours=1),
                    sent_at=v.starts_at + timedelta(hours=1),
                )
            )
    VisitLog.objects.bulk_create(logs, batch_size=5000)
    SmsMessage.objects.bulk_create(messages, batch_size=5000)
    counts = {
        "departments": len(departments),
        "seniors": len(seniors),
        "recipients": len(recipients),
        "plans": len(plans),
        "visits": len(visits),
        "notebook_entries": len(logs),
        "sms": len(messages),
    }
    return Seeded(org, departments, admin, lead, leaders, seniors, recipients, counts)
