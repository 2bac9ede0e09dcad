"""Training helpers for the whole suite: clear a senior (R6), build training objects, and
the isolation suites' samples and rows.

Other apps' tests that assign a senior call `clear_for_assignment(membership)` first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from seniorene.accounts.models import Department, Membership
from training import services
from training.models import (
    ModuleKind,
    PostenStatus,
    Seniorposten,
    TeamMeeting,
    TeamMeetingInvite,
    TrainingModule,
)

OSLO = ZoneInfo("Europe/Oslo")
ISOLATION_VIDEO = "training/videos/isolation-sample.webm"


def clear_for_assignment(membership: Membership) -> None:
    """Give `membership`'s organization the standard training and let the senior finish it."""
    services.training_seed_defaults(organization=membership.organization)
    for module in TrainingModule.objects.for_organization(membership.organization_id).filter(
        is_active=True
    ):
        if module.is_declaration:
            services.declaration_accept(
                membership=membership, module=module, signed_name="Test", version=module.version
            )
        else:
            services.module_complete(membership=membership, module=module)


def make_module(organization: Any, **fields: Any) -> TrainingModule:
    fields.setdefault("kind", ModuleKind.READING)
    fields.setdefault("title", f"Modul {TrainingModule.objects.count() + 1}")
    fields.setdefault("body", "Les dette.\n\n- Første punkt\n- Andre punkt")
    return TrainingModule.objects.create(organization=organization, **fields)


def make_meeting(organization: Any, starts_at: dt.datetime | None = None) -> TeamMeeting:
    if starts_at is None:
        # A month of its own for every meeting of the organization.
        offset = TeamMeeting.objects.filter(organization=organization).count()
        starts_at = dt.datetime(2030 + offset, 3, 12, 18, 0, tzinfo=OSLO)
    local = timezone.localtime(starts_at)
    return TeamMeeting.objects.create(
        organization=organization,
        year=local.year,
        month=local.month,
        starts_at=starts_at,
        link="https://teams.example/mote",
    )


# --- tests/isolation: samples (build(cast, who, department) → URL kwargs) ----------------


def sample_module(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    return {"pk": make_module(cast.organization).pk}


def sample_video_module(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    if not default_storage.exists(ISOLATION_VIDEO):
        default_storage.save(ISOLATION_VIDEO, ContentFile(b"\x1a\x45\xdf\xa3 isolation sample"))
    module = make_module(cast.organization, kind=ModuleKind.VIDEO, video_file=ISOLATION_VIDEO)
    return {"pk": module.pk}


def sample_meeting(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    return {"pk": make_meeting(cast.organization).pk}


def make_posten(department: Department, by: Membership, *, sent: bool = False, **fields: Any):
    """A Seniorposten of `department` (a draft, or sent), in a month of its own."""
    offset = Seniorposten.objects.filter(department=department).count()
    fields.setdefault("year", 2030 + offset)
    fields.setdefault("month", 3)
    fields.setdefault("title", "Seniorposten mars")
    fields.setdefault("body", "Hei alle!\n\nSe https://www.seniorene.no/ansattside")
    if sent:
        fields.update(status=PostenStatus.SENT, sent_at=timezone.now(), sent_by=by)
    return Seniorposten.objects.create(
        organization_id=department.organization_id, department=department, written_by=by, **fields
    )


def sample_posten_draft(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    return {"pk": make_posten(dept, cast.lead).pk}


def sample_posten_sent(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    return {"pk": make_posten(dept, cast.lead, sent=True).pk}


def populate_training_tables(world: Any) -> None:
    """A row in each training table, for the database-wall test."""
    home = world.home
    clear_for_assignment(home.senior_a)
    meeting = make_meeting(home.organization)
    TeamMeetingInvite.objects.create(
        organization=home.organization, meeting=meeting, membership=home.senior_a
    )
    make_posten(home.dept_a, home.leader_a, sent=True)
