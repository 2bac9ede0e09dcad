"""Training: the R6 gate, modules and the declaration, the lead's overview and the monthly
team meeting. Every change writes its audit row.

Other apps call `training_require_cleared` before they assign a senior anything
(a recipient, a Bli kjent meeting, a visit plan, a single visit); list pages
call `training_clearances` once for all the seniors they show.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from customers.apps import norwegian_key
from seniorene.accounts.models import Department, Membership, Organization, Role, User
from seniorene.accounts.scope import DepartmentScope
from seniorene.accounts.tenancy import tenant_context
from seniorene.audit.services import audit_record
from seniorene.jobs.models import ClaimStatus, JobClaim
from seniorene.jobs.registry import Tally
from seniorene.jobs.services import notice_send
from seniorene.mail import mail_send
from seniorene.pdf import render_pdf
from training.defaults import DEFAULT_MODULES, DefaultModule
from training.models import (
    ModuleKind,
    TeamMeeting,
    TeamMeetingInvite,
    TrainingCompletion,
    TrainingModule,
)

logger = logging.getLogger(__name__)

# --- The gate (R6) -------------------------------------------------------------


@dataclass(frozen=True)
class Clearance:
    """Whether a member may be assigned Omsorg work, and if not, what is missing (Bokmål)."""

    cleared: bool
    missing: list[str] = field(default_factory=list)
    done: int = 0  # required modules completed (current version)
    total: int = 0  # required modules, the declaration included


NOT_GATED = Clearance(cleared=True)


def _gate_modules(organization_ids: set[int]) -> list[TrainingModule]:
    """The active modules that gate assignment: required ones and the declaration."""
    return list(
        TrainingModule.objects.filter(organization_id__in=organization_ids, is_active=True)
        .filter(Q(is_required=True) | Q(kind=ModuleKind.DECLARATION))
        .only("id", "organization_id", "kind", "title", "version")
        .order_by("position", "id")
    )


def _missing_label(module: TrainingModule, signed_versions: set[int]) -> str:
    if module.is_declaration and signed_versions:
        return _("%(title)s (ny versjon %(version)s er ikke godtatt)") % {
            "title": module.title,
            "version": module.version,
        }
    if module.kind == ModuleKind.VIDEO:
        return _("Video: %(title)s") % {"title": module.title}
    return module.title


def training_clearances(*, memberships: Iterable[Membership]) -> dict[int, Clearance]:
    """Clearance for each membership, by membership id, in two queries whatever the count.

    Only seniors are gated: other roles are never assigned visits and are cleared.
    A senior is cleared when active, every active required module is completed and
    the current version of the organization's declaration is accepted.
    """
    members = list(memberships)
    result: dict[int, Clearance] = {m.pk: NOT_GATED for m in members if m.role != Role.SENIOR}
    seniors = [m for m in members if m.role == Role.SENIOR]
    if not seniors:
        return result
    modules = _gate_modules({m.organization_id for m in seniors})
    by_org: dict[int, list[TrainingModule]] = defaultdict(list)
    for module in modules:
        by_org[module.organization_id].append(module)
    versions: dict[tuple[int, int], set[int]] = defaultdict(set)
    if modules:
        rows = TrainingCompletion.objects.filter(
            membership_id__in=[m.pk for m in seniors], module_id__in=[m.pk for m in modules]
        ).values_list("membership_id", "module_id", "version")
        for membership_id, module_id, version in rows:
            versions[(membership_id, module_id)].add(version)
    for senior in seniors:
        required = by_org.get(senior.organization_id, [])
        missing = [] if senior.is_active else [_("Aktivt medlemskap")]
        done = 0
        for module in required:
            signed = versions.get((senior.pk, module.pk), set())
            if module.version in signed:
                done += 1
            else:
                missing.append(_missing_label(module, signed))
        total = len(required)
        if not any(m.is_declaration for m in required):
            missing.append(_("Taushetserklæring (ikke lagt inn av fagansvarlig ennå)"))
            total += 1
        result[senior.pk] = Clearance(cleared=not missing, missing=missing, done=done, total=total)
    return result


def training_clearance(*, membership: Membership) -> Clearance:
    """Whether `membership` may be assigned recipients, Bli kjent meetings and visits (R6)."""
    return training_clearances(memberships=[membership])[membership.pk]


def training_require_cleared(*, membership: Membership) -> None:
    """Raise ValidationError naming what is missing unless `membership` is cleared (R6).

    Everything that assigns a senior calls this, inside its transaction, before writing.
    """
    clearance = training_clearance(membership=membership)
    if clearance.cleared:
        return
    raise ValidationError(
        _("%(name)s kan ikke få oppdrag før opplæringen er fullført. Mangler: %(missing)s."),
        code="training_incomplete",
        params={"name": membership.user.name, "missing": ", ".join(clearance.missing)},
    )


# --- The senior's training -------------------------------------------------------


@dataclass(frozen=True)
class ModuleStatus:
    """A module as one senior sees it: done at its current version, or not."""

    module: TrainingModule
    completion: TrainingCompletion | None  # the newest, possibly of an older version

    @property
    def done(self) -> bool:
        return self.completion is not None and self.completion.version == self.module.version

    @property
    def outdated(self) -> bool:
        """Completed once, but the module (the declaration) has a newer version since."""
        return self.completion is not None and not self.done


def training_progress(*, membership: Membership) -> list[ModuleStatus]:
    """Every active module of the organization with this member's status, in order."""
    modules = list(
        TrainingModule.objects.for_organization(membership.organization_id)
        .filter(is_active=True)
        .order_by("position", "id")
    )
    newest: dict[int, TrainingCompletion] = {}
    for completion in TrainingCompletion.objects.filter(membership=membership).order_by("version"):
        newest[completion.module_id] = completion
    return [ModuleStatus(module=m, completion=newest.get(m.pk)) for m in modules]


def _check_same_organization(module: TrainingModule, membership: Membership) -> None:
    if module.organization_id != membership.organization_id:
        raise PermissionDenied


def module_complete(*, membership: Membership, module: TrainingModule) -> TrainingCompletion:
    """Mark `module` done for `membership` (idempotent). The declaration is accepted instead."""
    _check_same_organization(module, membership)
    if module.is_declaration:
        raise ValidationError(_("Taushetserklæringen godtar du med navnet ditt på egen side."))
    if not module.is_active:
        raise ValidationError(_("Modulen er ikke lenger i bruk."))
    completion, created = TrainingCompletion.objects.get_or_create(
        module=module,
        membership=membership,
        version=module.version,
        defaults={"organization_id": membership.organization_id, "completed_at": timezone.now()},
    )
    if created:
        audit_record(
            organization=membership.organization,
            actor=membership.user,
            action="training.module_completed",
            obj=module,
            details={"membership": membership.pk, "version": module.version},
        )
    return completion


def declaration_accept(
    *, membership: Membership, module: TrainingModule, signed_name: str, version: int
) -> TrainingCompletion:
    """Record that `membership` accepts version `version` of the declaration, signed with a name.

    `version` is the one the senior read; if the lead has published a newer one
    since, nothing is recorded and the senior is asked to read the new text.
    """
    _check_same_organization(module, membership)
    if not module.is_declaration:
        raise ValidationError(_("Dette er ikke taushetserklæringen."))
    signed_name = " ".join(signed_name.split())
    if not signed_name:
        raise ValidationError(_("Skriv navnet ditt for å godta."))
    with transaction.atomic():
        current = TrainingModule.objects.select_for_update().get(pk=module.pk)
        if current.version != version:
            raise ValidationError(
                _(
                    "Taushetserklæringen ble endret mens du leste. "
                    "Les den nye teksten og godta igjen."
                )
            )
        completion, created = TrainingCompletion.objects.get_or_create(
            module=current,
            membership=membership,
            version=current.version,
            defaults={
                "organization_id": membership.organization_id,
                "completed_at": timezone.now(),
                "signed_name": signed_name,
                "accepted_text": current.body,
            },
        )
        if created:
            audit_record(
                organization=membership.organization,
                actor=membership.user,
                action="training.declaration_accepted",
                obj=current,
                details={"membership": membership.pk, "version": current.version},
            )
    return completion


def training_plan_pdf(*, module: TrainingModule) -> bytes:
    """The printable PDF of a reading module (the course plans, the interview form)."""
    if not module.is_printable:
        raise ValidationError(_("Bare lesestoff kan skrives ut."))
    ctx = {
        "module": module,
        "organization": module.organization,
        "blocks": module.blocks(),
        "printed_at": timezone.localdate(),
    }
    return render_pdf("pdf/training_plan.html", ctx)


# --- The lead's content ------------------------------------------------------------


def training_defaults_missing(*, organization: Organization) -> list[DefaultModule]:
    """The manual's standard modules that `organization` does not have yet."""
    existing = TrainingModule.objects.for_organization(organization)
    keys = set(existing.exclude(key="").values_list("key", flat=True))
    has_declaration = existing.filter(kind=ModuleKind.DECLARATION).exists()
    return [
        d
        for d in DEFAULT_MODULES
        if d.key not in keys and not (d.kind == ModuleKind.DECLARATION and has_declaration)
    ]


def training_seed_defaults(
    *, organization: Organization, by: User | None = None
) -> list[TrainingModule]:
    """Add the manual's standard modules that `organization` lacks; return those created.

    Idempotent: a module is known by its key, and an organization that already has
    its own declaration keeps it. Call it when an organization is created.
    """
    missing = training_defaults_missing(organization=organization)
    if not missing:
        return []
    last = (
        TrainingModule.objects.for_organization(organization).aggregate(last=Max("position"))[
            "last"
        ]
        or 0
    )
    created = []
    for default in missing:
        last += 10
        created.append(
            TrainingModule.objects.create(
                organization=organization,
                key=default.key,
                kind=default.kind,
                title=default.title,
                body=default.body.strip(),
                video_url=default.video_url,
                position=last,
            )
        )
    audit_record(
        organization=organization,
        actor=by,
        action="training.defaults_seeded",
        details={"created": [m.key for m in created]},
    )
    return created


def module_save(
    *,
    organization: Organization,
    by: Membership,
    module: TrainingModule | None,
    title: str,
    kind: str,
    body: str,
    video_url: str = "",
    video_file: UploadedFile | None = None,
    clear_video_file: bool = False,
    is_required: bool = True,
    is_active: bool = True,
    position: int = 0,
) -> TrainingModule:
    """Create a module, or change one. A changed declaration text is a new version:
    everyone must accept it again."""
    creating = module is None
    if module is None:
        module = TrainingModule(organization=organization, kind=kind)
    elif module.organization_id != organization.pk:
        raise PermissionDenied
    old_file = module.video_file.name if module.video_file else ""
    new_version = False
    if module.is_declaration:
        if (
            creating
            and TrainingModule.objects.for_organization(organization)
            .filter(kind=ModuleKind.DECLARATION)
            .exists()
        ):
            raise ValidationError(_("Organisasjonen har allerede en taushetserklæring."))
        if not body.strip():
            raise ValidationError(_("Taushetserklæringen må ha en tekst."))
        is_required = is_active = True
        new_version = not creating and body.strip() != module.body.strip()
    if module.kind == ModuleKind.VIDEO:
        if clear_video_file and video_file is None:
            module.video_file = ""
        if video_file is not None:
            module.video_file = video_file
        if not video_url and not module.video_file:
            raise ValidationError(_("En video trenger en lenke eller en opplastet fil."))
    else:
        video_url = ""
        module.video_file = ""
    module.title = title.strip()
    module.body = body.strip()
    module.video_url = video_url
    module.is_required = is_required
    module.is_active = is_active
    module.position = position
    if new_version:
        module.version = F("version") + 1
    module.save()
    module.refresh_from_db(fields=["version"])
    new_file = module.video_file.name if module.video_file else ""
    if old_file and old_file != new_file:
        storage = module.video_file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    audit_record(
        organization=organization,
        actor=by.user,
        action="training.module_created" if creating else "training.module_updated",
        obj=module,
        details={"version": module.version, "new_version": new_version},
    )
    return module


def module_list(*, organization: Organization) -> tuple[list[TrainingModule], int]:
    """All modules with `done_count` (active seniors who completed the current version),
    and the number of active seniors."""
    seniors = Membership.objects.for_organization(organization).filter(
        role=Role.SENIOR, is_active=True
    )
    modules: list[TrainingModule] = list(
        TrainingModule.objects.for_organization(organization)
        .annotate(
            done_count=Count(
                "completions__membership",
                filter=Q(
                    completions__version=F("version"),
                    completions__membership__role=Role.SENIOR,
                    completions__membership__is_active=True,
                ),
                distinct=True,
            )
        )
        .order_by("-is_active", "position", "id")
    )
    return modules, seniors.count()


# --- The lead's overview -------------------------------------------------------------


@dataclass(frozen=True)
class SeniorRow:
    membership: Membership
    clearance: Clearance


@dataclass(frozen=True)
class DepartmentGroup:
    department: Department | None  # None: seniors without a department
    rows: list[SeniorRow]

    @property
    def blocked_count(self) -> int:
        return sum(1 for row in self.rows if not row.clearance.cleared)


def training_overview(*, viewer: Membership, only_blocked: bool = False) -> list[DepartmentGroup]:
    """Each department `viewer` may see, with its active seniors and their clearance."""
    organization_id = viewer.organization_id
    departments = Department.objects.for_organization(organization_id).filter(is_active=True)
    scope = DepartmentScope.of(viewer)
    all_departments = scope.is_all
    departments = scope.filter(departments, "pk")
    seniors = list(
        Membership.objects.for_organization(organization_id)
        .filter(role=Role.SENIOR, is_active=True)
        .select_related("user")
        .prefetch_related("departments")
    )
    clearances = training_clearances(memberships=seniors)
    seniors.sort(key=lambda m: norwegian_key(m.user.name))
    groups = []
    for department in sorted(departments, key=lambda d: norwegian_key(d.name)):
        rows = [
            SeniorRow(m, clearances[m.pk])
            for m in seniors
            if any(d.pk == department.pk for d in m.departments.all())
        ]
        groups.append(DepartmentGroup(department, rows))
    if all_departments:
        homeless = [SeniorRow(m, clearances[m.pk]) for m in seniors if not m.departments.all()]
        if homeless:
            groups.append(DepartmentGroup(None, homeless))
    if only_blocked:
        groups = [
            DepartmentGroup(g.department, [r for r in g.rows if not r.clearance.cleared])
            for g in groups
        ]
    return groups


# --- The monthly team meeting --------------------------------------------------------


def team_meeting_save(
    *,
    organization: Organization,
    by: Membership,
    meeting: TeamMeeting | None,
    starts_at: datetime,
    link: str,
    note: str = "",
) -> TeamMeeting:
    """Set the month's team meeting (its month is that of `starts_at`, Oslo time)."""
    local = timezone.localtime(starts_at)
    year, month = local.year, local.month
    same_month = TeamMeeting.objects.for_organization(organization).filter(year=year, month=month)
    if meeting is not None:
        if meeting.organization_id != organization.pk:
            raise PermissionDenied
        same_month = same_month.exclude(pk=meeting.pk)
        moved = (meeting.year, meeting.month) != (year, month)
        if moved and meeting.invites.exists():
            raise ValidationError(
                _(
                    "Invitasjonene til dette møtet er sendt, så det kan ikke flyttes til en "
                    "annen måned. Lag et nytt møte for den måneden."
                )
            )
    if same_month.exists():
        raise ValidationError(
            _("Det finnes allerede et teamsmøte i %(month)s.")
            % {"month": date_format(local, "F Y")}
        )
    creating = meeting is None
    if meeting is None:
        meeting = TeamMeeting(organization=organization)
    meeting.year, meeting.month = year, month
    meeting.starts_at = starts_at
    meeting.link = link.strip()
    meeting.note = note.strip()
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as exc:  # two leads saving the same month at once
        raise ValidationError(_("Det finnes allerede et teamsmøte i denne måneden.")) from exc
    audit_record(
        organization=organization,
        actor=by.user,
        action="training.team_meeting_created" if creating else "training.team_meeting_updated",
        obj=meeting,
        details={"year": year, "month": month},
    )
    return meeting


def team_meeting_invites_send(
    *, organization_id: int, year: int, month: int, now: datetime | None = None
) -> Tally:
    """Send the month's meeting link to every active senior who has not had it; return
    the count of each outcome (a `Tally`: sent, skipped, failed, to try again).

    Exactly once per person and month by construction:
    1. one invite row per (meeting, senior), unique, created if missing — who the link
       goes to;
    2. each invite's e-mail goes through the one send-once claim
       (`seniorene.jobs.services.notice_send`, key ``team-meeting:<invite id>``), so a
       second run, or two at once, finds nothing to send; a transient mail error is
       tried again on the next run, a refused address fails the invite at once.
    A meeting that has already started is not announced to late joiners.
    """
    now = now or timezone.now()
    tally = Tally()
    with tenant_context(organization_id):
        meeting = (
            TeamMeeting.objects.for_organization(organization_id)
            .filter(year=year, month=month, starts_at__gt=now)
            .select_related("organization")
            .first()
        )
        if meeting is None:
            return tally
        seniors = Membership.objects.for_organization(organization_id).filter(
            role=Role.SENIOR, is_active=True
        )
        TeamMeetingInvite.objects.bulk_create(
            [
                TeamMeetingInvite(organization_id=organization_id, meeting=meeting, membership=m)
                for m in seniors
            ],
            ignore_conflicts=True,
        )
        unsent = list(
            TeamMeetingInvite.objects.for_organization(organization_id)
            .filter(meeting=meeting, sent_at__isnull=True)
            .select_related("membership__user")
        )
    for invite in unsent:
        invite.meeting = meeting
        tally.add(_invite_send(invite))
    if tally.handled:
        with tenant_context(organization_id):
            audit_record(
                organization=meeting.organization,
                actor=None,
                action="training.team_meeting_invites_sent",
                obj=meeting,
                details={"sent": tally.handled},
            )
    return tally


def team_meeting_send_now(
    *, meeting: TeamMeeting, by: Membership, now: datetime | None = None
) -> Tally:
    """The lead's «Send nå»: send the meeting's link at once to every active senior who
    has not had it. The same path as the job (one invite row and one claim per person,
    the SMS keyed ``team-meeting:<invite id>``), so a second press sends nothing more."""
    if meeting.organization_id != by.organization_id:
        raise PermissionDenied
    now = now or timezone.now()
    if meeting.starts_at <= now:
        raise ValidationError(_("Møtet har begynt, så lenken sendes ikke ut."))
    tally = team_meeting_invites_send(
        organization_id=meeting.organization_id, year=meeting.year, month=meeting.month, now=now
    )
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="training.team_meeting_sent_now",
        obj=meeting,
        details={"sent": tally.handled, "failed": tally.failed},
    )
    return tally


def _invite_send(invite: TeamMeetingInvite) -> str:
    """E-mail one invite through its claim; on success also the SMS, and mark it sent."""
    outcome = notice_send(
        organization_id=invite.organization_id,
        key=f"team-meeting:{invite.pk}",
        send=lambda: _email_invite(invite),
    )
    if outcome == "sent":
        team_meeting_invite_sms(invite=invite)
        with tenant_context(invite.organization_id):
            TeamMeetingInvite.objects.filter(pk=invite.pk).update(sent_at=timezone.now())
    return outcome


def _email_invite(invite: TeamMeetingInvite) -> None:
    meeting = invite.meeting
    user = invite.membership.user
    local = timezone.localtime(meeting.starts_at)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Teamsmøte %(month)s – %(org)s") % {
            "month": date_format(local, "F Y"),
            "org": meeting.organization.name,
        }
    mail_send(
        to=[user.email],
        subject=subject,
        template="training/email/team_meeting.txt",
        context={
            "name": user.get_short_name(),
            "organization": meeting.organization,
            "meeting": meeting,
            "when": local,
        },
    )


def team_meeting_invite_sms(*, invite: TeamMeetingInvite) -> None:
    """Also queue the invite as SMS when the senior has given their own SMS consent.

    The outbox's idempotency key ``team-meeting:<invite id>`` makes it once-only,
    whatever retries happen; consent is checked again when the SMS is sent.
    """
    from messaging.services import sms_queue, sms_render, staff_may_receive_sms

    membership = invite.membership
    phone = membership.user.phone
    if not phone or not staff_may_receive_sms(membership_id=membership.pk):
        return
    meeting = invite.meeting
    body = sms_render(
        purpose="team_meeting",
        context={
            "name": membership.user.get_short_name(),
            "organization": meeting.organization,
            "meeting": meeting,
            "when": timezone.localtime(meeting.starts_at),
        },
    )
    with tenant_context(invite.organization_id):
        sms_queue(
            organization_id=invite.organization_id,
            to_phone=phone,
            body=body,
            purpose="team_meeting",
            audience="staff",
            idempotency_key=f"team-meeting:{invite.pk}",
            membership_id=membership.pk,
        )


@dataclass(frozen=True)
class MeetingRow:
    """A team meeting with how many invites went out and how many gave up."""

    meeting: TeamMeeting
    sent: int
    failed: int
    why: str = ""


def team_meeting_list(*, organization: Organization) -> Sequence[MeetingRow]:
    """The organization's meetings, newest month first, with invite counts (sent, and
    failed: the invites whose notice claim gave up)."""
    meetings = list(
        TeamMeeting.objects.for_organization(organization).annotate(
            sent_count=Count("invites", filter=Q(invites__sent_at__isnull=False))
        )
    )
    failed_ids = [
        int(key.removeprefix("team-meeting:"))
        for key in JobClaim.objects.for_organization(organization)
        .filter(key__startswith="team-meeting:", status=ClaimStatus.FAILED)
        .values_list("key", flat=True)
    ]
    failed = dict(
        TeamMeetingInvite.objects.for_organization(organization)
        .filter(pk__in=failed_ids)
        .values_list("meeting")
        .annotate(n=Count("pk"))
        .values_list("meeting", "n")
    )
    return [
        MeetingRow(
            m,
            m.sent_count,
            failed.get(m.pk, 0),
            "" if m.sent_count else team_meeting_why_none_sent(meeting=m),
        )
        for m in meetings
    ]


def team_meeting_next(*, organization: Organization) -> TeamMeeting | None:
    """The organization's next team meeting that has not started yet."""
    return (
        TeamMeeting.objects.for_organization(organization)
        .filter(starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )


# --- Why nothing went out, and each person's invitation -------------------------------

SEND_HOUR = 8  # the job runs every morning at 08:00 Oslo time (training.jobs)


def _next_send_run(after: datetime, year: int, month: int) -> datetime:
    """The first 08:00 Oslo run of the job that sends `year`-`month`'s link, after `after`."""
    from datetime import timedelta

    tz = timezone.get_default_timezone()
    first = datetime(year, month, 1, SEND_HOUR, 0, tzinfo=tz)
    local = timezone.localtime(after)
    candidate = local.replace(hour=SEND_HOUR, minute=0, second=0, microsecond=0)
    if candidate <= local:
        candidate = candidate + timedelta(days=1)
    candidate = candidate.replace(tzinfo=tz)  # keep 08:00 across a DST change
    return max(first, candidate)


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "l j. F \\k\\l. H.i")


def team_meeting_why_none_sent(*, meeting: TeamMeeting, now: datetime | None = None) -> str:
    """In plain Norwegian, why no invitation to `meeting` has gone out ("" when some has).

    Derived from the data: the invites and their claims, the seniors, the job's runs and
    the sending time (08:00 Oslo each morning of the meeting's month, never after it starts).
    """
    from seniorene.jobs.models import JobRun

    now = now or timezone.now()
    org = meeting.organization_id
    invites = TeamMeetingInvite.objects.for_organization(org).filter(meeting=meeting)
    if invites.filter(sent_at__isnull=False).exists():
        return ""
    reasons: list[str] = []
    if invites.exists():
        claims = JobClaim.objects.for_organization(org).filter(
            key__in=[f"team-meeting:{pk}" for pk in invites.values_list("pk", flat=True)]
        )
        failed = claims.filter(status=ClaimStatus.FAILED)
        if failed.exists():
            error = failed.exclude(error="").values_list("error", flat=True).first() or ""
            reasons.append(
                _("E-posten kunne ikke sendes til %(n)s av %(total)s seniorer%(error)s.")
                % {
                    "n": failed.count(),
                    "total": invites.count(),
                    "error": (_(" (feil: %(e)s)") % {"e": error}) if error else "",
                }
            )
        else:
            reasons.append(
                _("%(n)s invitasjoner venter på neste utsending (%(when)s).")
                % {
                    "n": invites.count(),
                    "when": _when(_next_send_run(now, meeting.year, meeting.month)),
                }
            )
        return " ".join(reasons)
    seniors = Membership.objects.for_organization(org).filter(role=Role.SENIOR, is_active=True)
    if not seniors.exists():
        return _("Organisasjonen har ingen aktive seniorer å sende lenken til.")
    first_run = _next_send_run(meeting.created_at, meeting.year, meeting.month)
    if first_run >= meeting.starts_at:
        return _(
            "Møtet ble lagt inn %(created)s, etter den siste utsendingen før møtet "
            "(lenken sendes kl. 08.00 om morgenen, aldri etter at møtet har begynt). "
            "Bruk «Send nå» eller send lenken selv."
        ) % {"created": _when(meeting.created_at)}
    if now < first_run:
        return _("Ikke tid ennå: lenken sendes %(when)s til %(n)s seniorer.") % {
            "when": _when(first_run),
            "n": seniors.count(),
        }
    runs = JobRun.objects.for_organization(org).filter(
        job="team_meeting", started_at__gte=first_run, started_at__lt=meeting.starts_at
    )
    if not runs.exists():
        return _(
            "Utsendingsjobben skulle ha sendt lenken %(when)s, men har ikke kjørt for "
            "organisasjonen siden. Se jobboversikten."
        ) % {"when": _when(first_run)}
    return _("Utsendingsjobben kjørte %(when)s uten å sende noe.") % {
        "when": _when(runs.order_by("-started_at").first().started_at)  # type: ignore[union-attr]
    }


def team_meeting_sms_gaps(*, meeting: TeamMeeting, now: datetime | None = None) -> str:
    """How many of the audience will get no SMS, and why (no consent, no mobile number)."""
    from messaging.services import staff_may_receive_sms

    seniors = list(
        Membership.objects.for_organization(meeting.organization_id)
        .filter(role=Role.SENIOR, is_active=True)
        .select_related("user")
    )
    no_phone = sum(1 for m in seniors if not m.user.phone)
    no_consent = sum(1 for m in seniors if not staff_may_receive_sms(membership_id=m.pk, at=now))
    if not (no_phone or no_consent):
        return ""
    return _(
        "Av %(total)s seniorer har %(no_consent)s ikke gitt samtykke til SMS og "
        "%(no_phone)s mangler mobilnummer; de får lenken bare på e-post."
    ) % {"total": len(seniors), "no_consent": no_consent, "no_phone": no_phone}


@dataclass(frozen=True)
class InviteLine:
    """One senior in the meeting's audience: what happened to their e-mail and SMS."""

    membership: Membership
    email: str
    sms: str
    attended: bool = False


def team_meeting_invite_lines(
    *, meeting: TeamMeeting, now: datetime | None = None
) -> Sequence[InviteLine]:
    """Per person: the e-mail (sent, failed, waiting, not invited) and the SMS (its outbox
    status, or blocked for no consent, or no mobile number)."""
    from messaging.models import SmsMessage
    from messaging.services import staff_may_receive_sms

    org = meeting.organization_id
    invites = {
        i.membership_id: i
        for i in TeamMeetingInvite.objects.for_organization(org)
        .filter(meeting=meeting)
        .select_related("membership__user")
    }
    members = {i.membership_id: i.membership for i in invites.values()}
    for m in (
        Membership.objects.for_organization(org)
        .filter(role=Role.SENIOR, is_active=True)
        .select_related("user")
    ):
        members.setdefault(m.pk, m)
    keys = {f"team-meeting:{i.pk}": i.membership_id for i in invites.values()}
    claims = {keys[c.key]: c for c in JobClaim.objects.for_organization(org).filter(key__in=keys)}
    sms = {
        keys[s.idempotency_key]: s
        for s in SmsMessage.objects.for_organization(org).filter(idempotency_key__in=keys)
    }
    lines = []
    for pk, member in sorted(members.items(), key=lambda kv: norwegian_key(str(kv[1].user))):
        invite = invites.get(pk)
        claim = claims.get(pk)
        if invite is None:
            email = _("Ikke invitert ennå")
        elif invite.sent_at:
            email = _("Sendt %(when)s") % {"when": _when(invite.sent_at)}
        elif claim is not None and claim.status == ClaimStatus.FAILED:
            email = _("Feilet") + (f": {claim.error}" if claim.error else "")
        else:
            email = _("Venter")
        message = sms.get(pk)
        if message is not None:
            sms_text = str(message.get_status_display())
        elif not member.user.phone:
            sms_text = _("Mangler mobilnummer")
        elif not staff_may_receive_sms(membership_id=pk, at=now):
            sms_text = _("Ikke samtykke til SMS")
        else:
            sms_text = _("Ikke sendt")
        lines.append(InviteLine(member, email, sms_text, bool(invite and invite.attended)))
    return lines


MINUTES_MAX = 2000


def team_meeting_attendance_save(
    *,
    meeting: TeamMeeting,
    by: Membership,
    attended_ids: Iterable[int],
    minutes: str,
    now: datetime | None = None,
) -> None:
    """After the meeting: who of the invited came, and short minutes; audited."""
    if meeting.organization_id != by.organization_id:
        raise PermissionDenied
    now = now or timezone.now()
    if meeting.starts_at > now:
        raise ValidationError(_("Oppmøte og referat føres etter at møtet har begynt."))
    minutes = minutes.strip()
    if len(minutes) > MINUTES_MAX:
        raise ValidationError(_("Referatet kan være høyst %(n)s tegn.") % {"n": MINUTES_MAX})
    invites = TeamMeetingInvite.objects.for_organization(meeting.organization_id).filter(
        meeting=meeting
    )
    came = set(invites.filter(membership_id__in=list(attended_ids)).values_list("pk", flat=True))
    with transaction.atomic():
        invites.filter(pk__in=came).update(attended=True)
        invites.exclude(pk__in=came).update(attended=False)
        meeting.minutes = minutes
        meeting.save(update_fields=["minutes"])
    audit_record(
        organization=by.organization,
        actor=by.user,
        action="training.team_meeting_attendance_saved",
        obj=meeting,
        details={"attended": len(came), "minutes_chars": len(minutes)},
    )
