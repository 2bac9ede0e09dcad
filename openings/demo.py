"""Demo jobs offered to seniors: Ragnhild and Bjørn have opted in; Gunnar Berge (screening
passed, nobody assigned) has an open Bli kjent job that Ragnhild has said yes to."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.utils import timezone

from customers.models import CareRecipient
from customers.services import recipient_create
from omsorg import services as omsorg_services
from omsorg.models import Criterion, CriterionKind, ServiceArea
from openings.models import AnswerChoice, JobInterest, OpeningKind
from openings.senior_services import job_interest_save, opening_answer
from openings.services import OpeningFields, opening_publish
from seniorene.accounts.demo import DemoOrg


def _next_weekday(weekday: int) -> date:
    day = timezone.localdate() + timedelta(days=3)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def seed(orgs: dict[str, DemoOrg]) -> None:
    demo = orgs["seniorene"]
    org = demo.organization
    leader, ragnhild, bjorn = (demo.people[k] for k in ("leader", "senior", "senior_2"))
    areas = {a.name: a for a in ServiceArea.objects.filter(organization=org)}
    liked = [a for name, a in areas.items() if not a.is_training][:3]
    for senior, postal, per_week, note in (
        (ragnhild, "0462", 2, "Helst formiddager."),
        (bjorn, "0354", 1, ""),
    ):
        if not JobInterest.objects.filter(membership=senior).exists():
            job_interest_save(
                membership=senior,
                by=senior.user,
                service_areas=liked,
                visits_per_week=per_week,
                postal_code=postal,
                note=note,
            )
    if CareRecipient.objects.filter(organization=org, name="Gunnar Berge").exists():
        return
    gunnar = recipient_create(
        by=leader,
        data={
            "name": "Gunnar Berge",
            "date_of_birth": date(1939, 4, 2),
            "address": "Sandakerveien 24",
            "postal_code": "0473",
            "city": "Oslo",
            "phone": "+4722445566",
            "department": demo.departments["Oslo sentrum"],
            "inquiry_source": "family",
        },
    )
    omsorg_services.screening_record(
        recipient=gunnar,
        by=leader,
        answers={
            c.pk: (True, "")
            for c in Criterion.objects.filter(organization=org, kind=CriterionKind.SCREENING)
        },
    )
    opening = opening_publish(
        recipient=gunnar,
        by=leader,
        fields=OpeningFields(
            kind=OpeningKind.INTAKE,
            area="Sagene",
            postal_code="0473",
            weekdays=[1, 3],
            start_time=time(11, 0),
            duration_minutes=60,
            every_n_weeks=1,
            first_date=_next_weekday(1),
            service_areas=liked[:2],
            description="Enkemann som liker å gå tur langs Akerselva og prate om jazz.",
        ),
    )
    opening_answer(
        opening=opening,
        senior=ragnhild,
        answer=AnswerChoice.YES,
        note="Kan bare tirsdager.",
        by=ragnhild.user,
    )
