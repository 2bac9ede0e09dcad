"""Demo plans, visits and availability so the leader's week and Ragnhild's agenda look alive.

Runs after the customers, training and omsorg demos (INSTALLED_APPS order):
Ragnhild is cleared (R6) and Arne has a completed Bli kjent with the training
criteria met (R2). Bjørn lacks the declaration, so Åse Lunde, assigned to him,
gets no plan and shows up on the watchdog list, as does Even in Bærum.
"""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone

from customers.models import CareRecipient
from omsorg.models import ServiceArea
from seniorene.accounts.demo import DemoOrg
from visits.absences import absence_add
from visits.availability import availability_set
from visits.civil_time import local_datetime, local_day_bounds
from visits.models import SeniorAbsence, SeniorAvailability, Visit, VisitPlan
from visits.planning import PlanFields, plan_create, plans_expand

# (organization slug, recipient name, senior key, weekdays, time, minutes, every N weeks,
#  ends in N days or None, training service area?)
PLANS = [
    ("seniorene", "Astrid Ødegaard", "senior", (1, 3), time(11), 60, 1, None, False),
    ("seniorene", "Arne Bakke", "senior", (0,), time(13, 30), 90, 1, 10, True),
    ("nordre-follo", "Kari Ås", "senior", (2,), time(10), 60, 2, None, False),
]


def _availability(demo: DemoOrg, key: str) -> None:
    senior = demo.people[key]
    if SeniorAvailability.objects.filter(membership=senior).exists():
        return
    availability_set(
        membership=senior,
        by=demo.people["leader"],
        windows=[(day, time(9), time(15)) for day in range(5)],
    )


def _areas(demo: DemoOrg, training: bool) -> tuple[ServiceArea, ...]:
    rows = ServiceArea.objects.for_organization(demo.organization).filter(is_active=True)
    chosen = list(rows.filter(is_training=training)[:1])
    if training:
        chosen += list(rows.filter(is_training=False)[:1])
    return tuple(chosen)


def _one_off_today(demo: DemoOrg, recipient: CareRecipient) -> None:
    """A visit today for Ragnhild, so her agenda starts with one: begun an hour ago when
    the day allows (so it can be logged and the feedback sent at once), else later today."""
    senior = demo.people["senior"]
    today = timezone.localdate()
    lo, hi = local_day_bounds(today, today)
    if Visit.objects.filter(senior=senior, starts_at__gte=lo, starts_at__lt=hi).exists():
        return
    now = timezone.localtime()
    hour = now.hour - 1 if now.hour >= 8 else min(max(now.hour + 1, 10), 22)
    starts_at = local_datetime(today, time(hour))
    Visit.objects.create(
        organization=demo.organization,
        recipient=recipient,
        senior=senior,
        starts_at=starts_at,
        original_starts_at=starts_at,
        duration_minutes=60,
    )


def seed(orgs: dict[str, DemoOrg]) -> None:
    _availability(orgs["seniorene"], "senior")
    today = timezone.localdate()
    for slug, name, key, weekdays, at, minutes, every, ends_in, training in PLANS:
        demo = orgs[slug]
        recipient = CareRecipient.objects.filter(organization=demo.organization, name=name).first()
        senior = demo.people[key]
        if recipient is None or recipient.status != "active":
            continue
        if VisitPlan.objects.filter(recipient=recipient, senior=senior).exists():
            continue
        plan_create(
            recipient=recipient,
            by=demo.people["leader"],
            fields=PlanFields(
                senior=senior,
                weekdays=weekdays,
                start_time=at,
                duration_minutes=minutes,
                every_n_weeks=every,
                first_date=today - timedelta(days=today.weekday()),
                last_date=today + timedelta(days=ends_in) if ends_in else None,
                areas=_areas(demo, training),
                notes="Ta gjerne en kort tur ut hvis været tillater det." if training else "",
            ),
        )
    astrid = CareRecipient.objects.filter(
        organization=orgs["seniorene"].organization, name="Astrid Ødegaard"
    ).first()
    if astrid is not None:
        _one_off_today(orgs["seniorene"], astrid)
    for demo in orgs.values():
        plans_expand(organization_id=demo.organization.pk)
    _absence(orgs["seniorene"])


def _absence(demo: DemoOrg) -> None:
    """Ragnhild is away Tuesday to Thursday in two weeks: two of Astrid's visits need
    another senior ("Følg opp" shows it, with the one-screen reassignment)."""
    senior = demo.people["senior"]
    if SeniorAbsence.objects.filter(membership=senior).exists():
        return
    today = timezone.localdate()
    tuesday = today - timedelta(days=today.weekday()) + timedelta(weeks=2, days=1)
    absence_add(
        membership=senior,
        by=senior,
        starts_on=tuesday,
        ends_on=tuesday + timedelta(days=2),
        note="Hos barnebarna i Bergen",
    )
