"""Demo service areas, criteria, a passed screening, a booked and a completed Bli kjent."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from customers.models import CareRecipient
from customers.services import relative_mark_visit_contact
from ledger.services import ledger_record_intake
from omsorg import services
from omsorg.models import Criterion, CriterionKind, IntakeInterview, Outcome, Screening
from seniorene.accounts.demo import DemoOrg
from seniorene.accounts.models import Membership


def _next_weekday_at(hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def seed(orgs: dict[str, DemoOrg]) -> None:
    for demo in orgs.values():
        services.omsorg_seed_defaults(organization=demo.organization)
    demo = orgs["seniorene"]
    leader = demo.people["leader"]
    senior = demo.people["senior"]
    screening = {
        c.pk: (True, "")
        for c in Criterion.objects.filter(
            organization=demo.organization, kind=CriterionKind.SCREENING
        )
    }
    # Åse: screened, Bli kjent booked with Ragnhild tomorrow (fill it in on the phone).
    aase = CareRecipient.objects.filter(organization=demo.organization, name="Åse Lunde").first()
    if aase and not aase.interviews.exists():
        services.screening_record(recipient=aase, by=leader, answers=screening)
        services.interview_book(
            recipient=aase, by=leader, senior=senior, starts_at=_next_weekday_at(11)
        )
    # Arne: a completed Bli kjent with all three training criteria met, a good match.
    arne = CareRecipient.objects.filter(organization=demo.organization, name="Arne Bakke").first()
    if arne and not arne.interviews.exists() and arne.status == "active":
        done = IntakeInterview.objects.create(
            organization=demo.organization,
            recipient=arne,
            senior=senior,
            starts_at=timezone.now() - timedelta(days=14),
            prepared_by="relative",
            booked_by=leader.user,
        )
        for c in Criterion.objects.filter(
            organization=demo.organization, kind=CriterionKind.TRAINING
        ):
            done.criterion_answers.create(
                organization=demo.organization, criterion=c, wording=c.text, met=True
            )
        done.q2_informed = "yes"
        done.q3_prepared_by = "relative"
        done.q4_contact_name = "Lise Bakke (datter)"
        done.q4_contact_phone = "+4792345678"
        done.q5_likes = "Fotball, Vålerenga, båtliv i Oslofjorden."
        done.q6_avoid = "Ikke snakk om kona, som døde i fjor vår."
        done.q7_cognitive = "Blir fort sliten av tallhuskeleker; kryssord går fint."
        done.q8_falls = "Falt i badet i februar. Går med stokk inne."
        done.q9_frequency = "Én gang i uken, torsdager"
        done.q1_person = f"{arne.name}, {arne.age} år, {arne.full_address}"
        done.status = "completed"
        done.outcome = Outcome.GOOD_MATCH
        done.completed_at = done.starts_at + timedelta(hours=1)
        done.completed_by = senior.user
        done.km = Decimal("12.5")
        done.save()
        _held(done, leader)
        relative_mark_visit_contact(
            recipient=arne,
            by=leader,
            name="Lise Bakke",
            phone="+4792345678",
            relation="child",
            source=f"interview:{done.pk}",
        )
    for demo in orgs.values():
        _good_matches(demo)


def _good_matches(demo: DemoOrg) -> None:
    """Every other active demo recipient met a senior three weeks ago and it was a good
    match (no plan without it): a short form, the training criteria not all met."""
    leader = demo.people["leader"]
    active = CareRecipient.objects.filter(organization=demo.organization, status="active")
    for recipient in active.exclude(interviews__isnull=False):
        assigned = recipient.assignment_set.select_related("senior").first()
        senior = assigned.senior if assigned else demo.people["senior"]
        met = timezone.now() - timedelta(days=21)
        done = IntakeInterview.objects.create(
            organization=demo.organization,
            recipient=recipient,
            senior=senior,
            starts_at=met,
            prepared_by="senior",
            booked_by=leader.user,
            q1_person=f"{recipient.name}, {recipient.age} år, {recipient.full_address}",
            q2_informed="yes",
            q3_prepared_by="senior",
            q9_frequency="To ganger i uka",
            status="completed",
            outcome=Outcome.GOOD_MATCH,
            completed_at=met + timedelta(hours=1),
            completed_by=senior.user,
        )
        _held(done, leader)
        for c in Criterion.objects.filter(
            organization=demo.organization, kind=CriterionKind.TRAINING
        ):
            done.criterion_answers.create(
                organization=demo.organization, criterion=c, wording=c.text, met=False
            )


def _held(interview: IntakeInterview, leader: Membership) -> None:
    """What a held meeting leaves behind: the passed screening a week before it (R1: no
    meeting without one) and the senior's paid, never invoiced hours and km (R7)."""
    Screening.objects.create(
        organization_id=interview.organization_id,
        recipient=interview.recipient,
        outcome="passed",
        note="Demo",
        screened_by=leader.user,
        at=interview.starts_at - timedelta(days=7),
    )
    ledger_record_intake(
        organization_id=interview.organization_id,
        senior=interview.senior,
        interview_id=interview.pk,
        day=timezone.localdate(interview.starts_at),
        minutes=interview.duration_minutes,
        km=interview.km,
    )
