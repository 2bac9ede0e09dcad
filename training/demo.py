"""Demo training: the standard modules everywhere; Ragnhild cleared, Bjørn lacking the
declaration; this and next month's team meeting."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from seniorene.accounts.demo import DemoOrg
from training import services
from training.models import ModuleKind, TeamMeeting, TrainingModule

DEMO_MEETING_LINK = "https://teams.example/seniorene-omsorg/teamsmote"


def _first_weekday(year: int, month: int, weekday: int) -> dt.date:
    day = dt.date(year, month, 1)
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _meetings(demo: DemoOrg) -> None:
    """The first Tuesday at 18.00 of this month and the next."""
    today = timezone.localdate()
    lead = demo.people["lead"]
    for year, month in [
        (today.year, today.month),
        (today.year + today.month // 12, today.month % 12 + 1),
    ]:
        if (
            TeamMeeting.objects.for_organization(demo.organization)
            .filter(year=year, month=month)
            .exists()
        ):
            continue
        day = _first_weekday(year, month, 1)
        services.team_meeting_save(
            organization=demo.organization,
            by=lead,
            meeting=None,
            starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0))),
            link=DEMO_MEETING_LINK,
            note="Erfaringsdeling fra månedens besøk, og spørsmål om kognitiv trening.",
        )


def _complete(demo: DemoOrg, key: str, *, sign: bool) -> None:
    membership = demo.people[key]
    modules = TrainingModule.objects.for_organization(demo.organization).filter(is_active=True)
    for module in modules:
        if module.kind != ModuleKind.DECLARATION:
            services.module_complete(membership=membership, module=module)
        elif sign:
            services.declaration_accept(
                membership=membership,
                module=module,
                signed_name=membership.user.name,
                version=module.version,
            )


def seed(orgs: dict[str, DemoOrg]) -> None:
    for demo in orgs.values():
        services.training_seed_defaults(organization=demo.organization)
        _meetings(demo)
    seniorene = orgs["seniorene"]
    _complete(seniorene, "senior", sign=True)  # Ragnhild: cleared
    _complete(seniorene, "senior_2", sign=False)  # Bjørn: the declaration is missing
    _complete(orgs["nordre-follo"], "senior", sign=True)
