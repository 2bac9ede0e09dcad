"""How the isolation and role-matrix suites reach every URL of the project.

Every URL pattern is read from the resolver. A pattern is either

- **ours**: its view carries `required_perm` or `is_public` (the decorators
  in `seniorene.accounts.decorators`); if it takes arguments, `SAMPLES` must
  say how to build an object for it, or the suite fails; or
- **exempt**: listed in `EXEMPT_PREFIXES`/`EXEMPT_NAMES` with the reason.

When you add a view with an object id, add a `Sample` here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from seniorene.accounts.models import Department, Invitation, Membership, Role
from tests.evaluations import helpers as evaluation_samples
from tests.factories import (
    CareRecipientFactory,
    ConsentFactory,
    DepartmentFactory,
    IntakeInterviewFactory,
    MembershipFactory,
    RelativeFactory,
    make_criteria,
    make_notification,
    make_service_area,
    with_ready_pdf,
)
from tests.family import helpers as family_samples
from tests.openings import leader_samples as opening_samples
from tests.openings import senior_helpers as senior_job_samples
from tests.sms import helpers as sms_samples
from tests.training import helpers as training_samples
from tests.visits import helpers as visit_samples

# URL-name prefixes and names that are not ours to police, and why.
EXEMPT_PREFIXES = {
    "account_": "allauth's own account pages (login, logout, password): the same for every "
    "role, no tenant data; MFA enforcement is in tests/accounts/test_mfa.py",
    "mfa_": "allauth's MFA self-service for the logged-in user only",
    "admin:": "Django admin, for platform superusers only (is_staff); no organization role "
    "reaches it — tests/accounts/test_platform_admin.py",
}
EXEMPT_NAMES = {
    "set_language": "Django's language switch: a cookie, no data",
}


def departments_of(who: Membership) -> list[Department]:
    return list(who.departments.all())


def home_department(cast: Any, who: Membership) -> Department:
    """A department `who` belongs to (or department A for all-department roles)."""
    own = departments_of(who)
    return own[0] if own else cast.dept_a


def foreign_department(cast: Any, who: Membership) -> Department | None:
    """A department of the same organization that `who` does not belong to, if it matters."""
    own = {d.pk for d in departments_of(who)}
    if not own:
        return None
    return cast.dept_b if cast.dept_a.pk in own else cast.dept_a


@dataclass
class Sample:
    """How to make an object for a URL: build(cast, who, department) → URL kwargs.

    `department_scoped`: the object belongs to a department, so a leader or
    senior of another department must get 404 too.
    `allowed_status`: what an allowed persona gets for its own object.
    """

    build: Callable[[Any, Membership, Department], dict[str, Any]]
    method: str = "GET"
    data: dict[str, Any] = field(default_factory=dict)
    department_scoped: bool = False
    allowed_status: frozenset[int] = frozenset({200})


def _member(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    target = MembershipFactory(organization=cast.organization, role=Role.SENIOR, departments=[dept])
    return {"pk": target.pk}


def _department(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    return {"pk": DepartmentFactory(organization=cast.organization).pk}


def _invitation(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    invitation = Invitation.objects.create(
        organization=cast.organization,
        email=f"ny-{Invitation.objects.count()}@test.example",
        name="Ny Senior",
        role=Role.SENIOR,
        invited_by=who.user,
    )
    invitation.departments.set([dept], through_defaults={"organization": cast.organization})
    return {"pk": invitation.pk}


def send(client: Any, route: Any, kwargs: dict[str, Any], sample: Sample) -> Any:
    """Request `route` for the object in `kwargs` the way `sample` says."""
    url = reverse(route.name, kwargs=kwargs)
    if sample.method == "POST":
        return client.post(url, sample.data)
    return client.get(url)


def _recipient(cast: Any, who: Membership, dept: Department):
    """A recipient in `dept`; assigned to `who` when who is a senior of that department."""
    seniors = [who] if who.role == Role.SENIOR and dept.pk in who.department_ids else []
    return CareRecipientFactory(department=dept, seniors=seniors)


def _recipient_kwargs(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    return {"pk": _recipient(cast, who, dept).pk}


def _relative_kwargs(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    relative = RelativeFactory(recipient=_recipient(cast, who, dept))
    return {"pk": relative.recipient_id, "relative_pk": relative.pk}


def _consent_kwargs(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    consent = ConsentFactory(recipient=_recipient(cast, who, dept), recorded_by=who.user)
    return {"pk": consent.recipient_id, "consent_pk": consent.pk}


def _interview(cast: Any, who: Membership, dept: Department):
    """An interview in `dept`, held by `who` when who is a senior of that department."""
    recipient = _recipient(cast, who, dept)
    if who.role == Role.SENIOR and dept.pk in who.department_ids:
        senior = who
    else:
        senior = MembershipFactory(
            organization=cast.organization, role=Role.SENIOR, departments=[dept]
        )
    return IntakeInterviewFactory(recipient=recipient, senior=senior)


def _interview_kwargs(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    return {"pk": _interview(cast, who, dept).pk}


def _ready_pdf_kwargs(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    return {"pk": with_ready_pdf(_interview(cast, who, dept)).pk}


def _notification_kwargs(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    return {"pk": make_notification(_interview(cast, who, dept)).pk}


def _leader_notice_kwargs(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    """A 'Bli kjent completed' notice for `who` about a meeting in `dept`."""
    from omsorg.models import LeaderNotice

    interview = _interview(cast, who, dept)
    notice = LeaderNotice.objects.create(
        organization=cast.organization, interview=interview, leader=who
    )
    return {"pk": notice.pk}


def _declined_kwargs(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    """A completed meeting in `dept` where the recipient declined, to be contacted again."""
    from django.utils import timezone

    interview = _interview(cast, who, dept)
    interview.status, interview.completed_at = "completed", timezone.now()
    interview.outcome, interview.decline_reason = "declined", "not_now"
    interview.recontact_on = timezone.localdate()
    interview.save()
    return {"pk": interview.pk}


def _service_area_kwargs(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    return {"pk": make_service_area(cast.organization).pk}


def _criterion_kwargs(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    return {"pk": make_criteria(cast.organization)[0][0].pk}


def _partner_kwargs(cast: Any, who: Membership, dept: Department) -> dict[str, Any]:
    from customers.models import Partner

    partner = Partner.objects.create(
        organization=cast.organization, name="Frivilligsentralen", kind="volunteer_centre"
    )
    return {"pk": partner.pk}


RECIPIENT = {"department_scoped": True}
CHANGED = frozenset({200, 302})

SAMPLES: dict[str, Sample] = {
    "customers:card": Sample(_recipient_kwargs, **RECIPIENT),
    "customers:edit": Sample(_recipient_kwargs, **RECIPIENT),
    "customers:status": Sample(
        _recipient_kwargs,
        method="POST",
        data={"to_status": "screening"},
        allowed_status=frozenset({302}),
        **RECIPIENT,
    ),
    "customers:customer": Sample(_recipient_kwargs, **RECIPIENT),
    "customers:relative_create": Sample(_recipient_kwargs, **RECIPIENT),
    "customers:relative_edit": Sample(_relative_kwargs, **RECIPIENT),
    "customers:relative_make_customer": Sample(
        _relative_kwargs, method="POST", allowed_status=frozenset({302}), **RECIPIENT
    ),
    "customers:consent_create": Sample(_recipient_kwargs, **RECIPIENT),
    "customers:consent_withdraw": Sample(
        _consent_kwargs, method="POST", allowed_status=frozenset({302}), **RECIPIENT
    ),
    "customers:export": Sample(_recipient_kwargs, **RECIPIENT),
    "customers:export_json": Sample(_recipient_kwargs, **RECIPIENT),
    "customers:my_card": Sample(_recipient_kwargs, **RECIPIENT),
    "customers:partner": Sample(_partner_kwargs),
    "customers:partner_edit": Sample(_partner_kwargs),
    "customers:partner_meeting_add": Sample(_partner_kwargs),
    "omsorg:screening": Sample(_recipient_kwargs, **RECIPIENT),
    "omsorg:book": Sample(_recipient_kwargs, **RECIPIENT),
    "omsorg:interview": Sample(_interview_kwargs, **RECIPIENT),
    "omsorg:fill": Sample(_interview_kwargs, **RECIPIENT),
    "omsorg:pdf": Sample(_ready_pdf_kwargs, **RECIPIENT),
    "omsorg:meeting_change": Sample(_interview_kwargs, **RECIPIENT),
    "omsorg:meeting_move": Sample(
        _interview_kwargs, method="POST", allowed_status=CHANGED, **RECIPIENT
    ),
    "omsorg:meeting_cancel": Sample(
        _interview_kwargs, method="POST", allowed_status=frozenset({302}), **RECIPIENT
    ),
    "omsorg:pdf_retry": Sample(
        _interview_kwargs, method="POST", allowed_status=frozenset({302}), **RECIPIENT
    ),
    "omsorg:review": Sample(_notification_kwargs, method="POST", allowed_status=frozenset({302})),
    "omsorg:leader_notice_seen": Sample(
        _leader_notice_kwargs, method="POST", allowed_status=frozenset({302}), **RECIPIENT
    ),
    "omsorg:recontact_done": Sample(
        _declined_kwargs, method="POST", allowed_status=frozenset({302}), **RECIPIENT
    ),
    "omsorg:service_area_edit": Sample(_service_area_kwargs),
    "omsorg:criterion_edit": Sample(_criterion_kwargs),
    "accounts:member_edit": Sample(_member),
    "accounts:member_set_active": Sample(
        _member, method="POST", data={"active": "0"}, allowed_status=frozenset({302})
    ),
    "accounts:department_edit": Sample(_department),
    "training:module": Sample(training_samples.sample_module),
    "training:module_complete": Sample(
        training_samples.sample_module, method="POST", allowed_status=frozenset({302})
    ),
    "training:module_video": Sample(training_samples.sample_video_module),
    "training:module_pdf": Sample(training_samples.sample_module),
    "training:module_edit": Sample(training_samples.sample_module),
    "training:meeting_edit": Sample(training_samples.sample_meeting),
    "training:meeting_attendance": Sample(
        training_samples.sample_meeting, method="POST", allowed_status=frozenset({302})
    ),
    "training:meeting_send_now": Sample(
        training_samples.sample_meeting, method="POST", allowed_status=frozenset({302})
    ),
    # Issue 22: Seniorposten belongs to a department: its leader writes it, its seniors read it.
    "training:posten_edit": Sample(training_samples.sample_posten_draft, **RECIPIENT),
    "training:posten_preview": Sample(training_samples.sample_posten_draft, **RECIPIENT),
    "training:posten_send": Sample(
        training_samples.sample_posten_draft,
        method="POST",
        allowed_status=frozenset({302}),
        **RECIPIENT,
    ),
    "training:posten_issue": Sample(training_samples.sample_posten_sent, **RECIPIENT),
    "visits:visit": Sample(visit_samples.sample_visit, **RECIPIENT),
    "visits:visit_move": Sample(
        visit_samples.sample_visit,
        method="POST",
        data=visit_samples.move_data(),
        allowed_status=CHANGED,
        **RECIPIENT,
    ),
    "visits:visit_cancel": Sample(
        visit_samples.sample_visit,
        method="POST",
        data={"kind": "other", "reason": "Test"},
        allowed_status=CHANGED,
        **RECIPIENT,
    ),
    "visits:visit_reassign": Sample(
        visit_samples.sample_visit, method="POST", allowed_status=CHANGED, **RECIPIENT
    ),
    "visits:visit_log_on_behalf": Sample(visit_samples.sample_past_visit, **RECIPIENT),
    "visits:visit_close": Sample(
        visit_samples.sample_past_visit,
        method="POST",
        data={"close_reason": "Senioren var syk"},
        allowed_status=frozenset({302}),
        **RECIPIENT,
    ),
    "visits:many_hours_seen": Sample(
        visit_samples.sample_logged_visit,
        method="POST",
        allowed_status=frozenset({302}),
        **RECIPIENT,
    ),
    "visits:plans": Sample(_recipient_kwargs, **RECIPIENT),
    "visits:plan_create": Sample(_recipient_kwargs, **RECIPIENT),
    "visits:plan_edit": Sample(visit_samples.sample_plan, **RECIPIENT),
    "visits:plan_end": Sample(
        visit_samples.sample_plan, method="POST", allowed_status=frozenset({302}), **RECIPIENT
    ),
    "visits:availability": Sample(visit_samples.sample_senior, **RECIPIENT),
    "visits:senior_absences": Sample(visit_samples.sample_senior, **RECIPIENT),
    "visits:absence_reassign": Sample(visit_samples.sample_absence, **RECIPIENT),
    "visits:absence_delete": Sample(
        visit_samples.sample_absence, method="POST", allowed_status=frozenset({302}), **RECIPIENT
    ),
    "visits:my_absence_delete": Sample(
        visit_samples.sample_absence, method="POST", allowed_status=frozenset({302}), **RECIPIENT
    ),
    "visits:senior_calendar_reset": Sample(
        visit_samples.sample_senior, method="POST", allowed_status=frozenset({302}), **RECIPIENT
    ),
    "visits:my_visit": Sample(visit_samples.sample_visit, **RECIPIENT),
    "visits:visit_log": Sample(visit_samples.sample_visit, **RECIPIENT),
    "visits:visit_log_draft": Sample(
        visit_samples.sample_visit, method="POST", data={"went_well": "Fint"}, **RECIPIENT
    ),
    "visits:check_in": Sample(
        visit_samples.sample_visit, method="POST", allowed_status=frozenset({302}), **RECIPIENT
    ),
    "visits:feedback": Sample(visit_samples.sample_logged_visit, **RECIPIENT),
    # Issue 22: correcting a logged visit (the senior's phone page, the leader's page).
    "visits:my_visit_correct": Sample(visit_samples.sample_logged_visit, **RECIPIENT),
    "visits:visit_correct": Sample(visit_samples.sample_logged_visit, **RECIPIENT),
    "visits:receipt": Sample(visit_samples.sample_expense, **RECIPIENT),
    # Issue 22: a senior's concern, read and answered by the department's leaders.
    "visits:concern": Sample(visit_samples.sample_concern, **RECIPIENT),
    # Issue 20, the senior's side: a job of the senior's department that they answered.
    "openings:my_job": Sample(senior_job_samples.sample_opening, **RECIPIENT),
    "openings:leader_publish": Sample(_recipient_kwargs, **RECIPIENT),
    "openings:leader_detail": Sample(opening_samples.sample_opening, **RECIPIENT),
    "openings:leader_withdraw": Sample(
        opening_samples.sample_opening,
        method="POST",
        data={"reason": "Fikk hjelp"},
        allowed_status=frozenset({302}),
        **RECIPIENT,
    ),
    # No senior chosen in the sample: the job page answers with "Velg en senior".
    "openings:leader_choose": Sample(opening_samples.sample_opening, method="POST", **RECIPIENT),
    # Issue 21: a reply on a recipient's card is handled by its leaders; admin handles the
    # SMS from numbers only the outbox knows.
    "sms:reply_handle": Sample(
        sms_samples.sample_reply, method="POST", allowed_status=frozenset({302}), **RECIPIENT
    ),
    "sms:unknown_handle": Sample(
        sms_samples.sample_unknown, method="POST", allowed_status=frozenset({302})
    ),
    # Issue 21: the relative's page link revoked from the card; a relative's request answered.
    "family:relative_link_revoke": Sample(
        family_samples.sample_relative, method="POST", allowed_status=frozenset({302}), **RECIPIENT
    ),
    "family:request_answer": Sample(family_samples.sample_request, **RECIPIENT),
    # Issue 21: the leader marks a relative's answer read (from *Følg opp*).
    "evaluations:mark_read": Sample(
        evaluation_samples.sample_answered,
        method="POST",
        allowed_status=frozenset({302}),
        **RECIPIENT,
    ),
    "accounts:invitation_revoke": Sample(
        _invitation, method="POST", allowed_status=frozenset({302})
    ),
    "accounts:invitation_resend": Sample(
        _invitation, method="POST", allowed_status=frozenset({302})
    ),
}

# Views without arguments that only take POST, with the data an allowed role sends.
POST_ONLY: dict[str, dict[str, Any]] = {
    "accounts:switch_organization": {"organization": "0"},
    "training:seed_defaults": {},
    "visits:calendar_reset": {},
    # Issue 20: the senior pauses, resumes or withdraws their opt-in (nothing to change yet).
    "openings:my_interest_pause": {},
    "openings:my_interest_resume": {},
    "openings:my_interest_withdraw": {},
}
