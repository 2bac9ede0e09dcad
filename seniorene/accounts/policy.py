"""What each role may do: the one place the table "Who uses it"
of docs/design.md lives in code.

Views declare the permission they need with ``@require(Perm.X)`` (see
``seniorene.accounts.decorators``); templates ask ``{% if perms_for.X %}``
through the context processor; object-level questions (which departments,
R3) are the functions below. The role-matrix test reads `ROLE_PERMISSIONS`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from seniorene.accounts.models import Role

if TYPE_CHECKING:
    from seniorene.accounts.models import Membership


class Perm(StrEnum):
    # Every member: the start page, their own profile and security settings.
    USE_APP = "use_app"
    # Admin: the organization's structure and people.
    MANAGE_DEPARTMENTS = "manage_departments"
    MANAGE_MEMBERS = "manage_members"
    INVITE_STAFF = "invite_staff"
    # Admin and leaders: seniors join by invitation (leaders: their own departments).
    INVITE_SENIORS = "invite_seniors"
    VIEW_AUDIT = "view_audit"
    # Training (issue 5): seniors take it, the lead owns the content and the team meetings,
    # leaders, lead and admin see who is cleared (R6); everyone may read the content.
    TAKE_TRAINING = "take_training"
    VIEW_TRAINING_CONTENT = "view_training_content"
    MANAGE_TRAINING = "manage_training"
    VIEW_TRAINING_STATUS = "view_training_status"
    MANAGE_TEAM_MEETINGS = "manage_team_meetings"
    # Leaders (their departments) and the lead (all): the recipient register.
    VIEW_RECIPIENTS = "view_recipients"
    MANAGE_RECIPIENTS = "manage_recipients"
    # Seniors: the recipients assigned to them, with what the visit needs.
    VIEW_OWN_RECIPIENTS = "view_own_recipients"
    # Bli kjent: leaders screen and book; seniors fill in the form; R3 narrows reading.
    SCREEN_AND_BOOK = "screen_and_book"
    FILL_INTERVIEW = "fill_interview"
    READ_INTERVIEWS = "read_interviews"
    # Admin: the "Bli kjent completed" queue (never the content), service areas.
    REVIEW_INTAKE_NOTICES = "review_intake_notices"
    MANAGE_SERVICE_AREAS = "manage_service_areas"
    MANAGE_CRITERIA = "manage_criteria"
    VIEW_INTAKE_FUNNEL = "view_intake_funnel"
    # Issue 19: the register of partners ("ambassadører og støttespillere") and the meetings
    # held with them. The manual: "Hovedmarkedsføringen gjøres av Hilde [the lead] og
    # Gudrun [admin]", so both keep it; leaders only pick a partner on a new recipient.
    MANAGE_PARTNERS = "manage_partners"
    # Admin and lead: the SMS outbox (every message of the organization, numbers masked).
    VIEW_SMS_OUTBOX = "view_sms_outbox"
    # Visits (issue 7): leaders (their departments) and the lead plan visits, change single
    # visits and see the watchdog; seniors see their own agenda and calendar feed.
    PLAN_VISITS = "plan_visits"
    VIEW_OWN_VISITS = "view_own_visits"
    # Issue 16: a senior's leader (their departments), the lead and the admin give the senior
    # a new calendar address (a lost phone), as the senior can on their own page.
    RESET_CALENDAR_FEEDS = "reset_calendar_feeds"
    # Issue 8: the monthly Tripletex export (leaders: their departments' seniors), and the
    # organization's wording of the feedback SMS.
    EXPORT_HOURS = "export_hours"
    VIEW_RECEIPTS = "view_receipts"
    MANAGE_SMS_TEMPLATES = "manage_sms_templates"
    # Admin: the background jobs' runs (issue 9) and the organization's job settings.
    VIEW_JOB_RUNS = "view_job_runs"
    # Issue 20: the overview of seniors (opted in, cleared, visits against wishes, idle);
    # leaders see their departments' seniors, the lead and the admin all.
    VIEW_SENIOR_OVERVIEW = "view_senior_overview"
    # Issue 20: a senior says they want Omsorg jobs, sees the jobs offered and answers.
    TAKE_JOBS = "take_jobs"
    # Issue 20: leaders (their departments) and the lead (all) publish jobs to the seniors,
    # read the answers, choose a senior and withdraw a job.
    MANAGE_OPENINGS = "manage_openings"
    # Issue 21: admin reads and handles SMS from numbers the organization texted but no
    # relative or recipient has now (Ukjente avsendere). Replies from known numbers are on
    # the recipient's card (VIEW_RECIPIENTS) and handled by MANAGE_RECIPIENTS.
    VIEW_UNKNOWN_SMS = "view_unknown_sms"
    # Issue 21: leaders (their departments) and the lead (all) read the relatives' answers to
    # the evaluation (the card, *Følg opp*) and mark them read.
    READ_EVALUATIONS = "read_evaluations"
    # Issue 22: "Noe lederen bør vite" from the visit log. Leaders (their departments), the
    # lead and admin read and answer the seniors' concerns; a leader chooses how they hear
    # of a new one. The senior reads their own under VIEW_OWN_VISITS.
    HANDLE_CONCERNS = "handle_concerns"
    CHOOSE_CONCERN_ALERTS = "choose_concern_alerts"
    # Issue 22: the quality figures ("Kvalitet: slik går det"); admin's "kvalitetssikring"
    # and the lead see every department, a leader their own.
    VIEW_QUALITY = "view_quality"
    # Issue 22: Seniorposten, the monthly letter "fra avdelingsleder": leaders write and send
    # it for their departments, the lead and admin for any; seniors read their departments'.
    WRITE_SENIORPOSTEN = "write_seniorposten"
    READ_SENIORPOSTEN = "read_seniorposten"


_ADMIN, _LEAD, _LEADER, _SENIOR = Role.ADMIN, Role.LEAD, Role.LEADER, Role.SENIOR

# One line per permission: which roles have it.
PERM_ROLES: dict[Perm, frozenset[str]] = {
    Perm.USE_APP: frozenset({_ADMIN, _LEAD, _LEADER, _SENIOR}),
    Perm.MANAGE_DEPARTMENTS: frozenset({_ADMIN}),
    Perm.MANAGE_MEMBERS: frozenset({_ADMIN}),
    Perm.INVITE_STAFF: frozenset({_ADMIN}),
    Perm.INVITE_SENIORS: frozenset({_ADMIN, _LEADER}),
    Perm.VIEW_AUDIT: frozenset({_ADMIN}),
    Perm.TAKE_TRAINING: frozenset({_SENIOR}),
    Perm.VIEW_TRAINING_CONTENT: frozenset({_ADMIN, _LEAD, _LEADER, _SENIOR}),
    Perm.MANAGE_TRAINING: frozenset({_LEAD}),
    Perm.VIEW_TRAINING_STATUS: frozenset({_ADMIN, _LEAD, _LEADER}),
    Perm.MANAGE_TEAM_MEETINGS: frozenset({_LEAD}),
    Perm.VIEW_RECIPIENTS: frozenset({_LEAD, _LEADER}),
    Perm.MANAGE_RECIPIENTS: frozenset({_LEAD, _LEADER}),
    Perm.VIEW_OWN_RECIPIENTS: frozenset({_SENIOR}),
    Perm.SCREEN_AND_BOOK: frozenset({_LEAD, _LEADER}),
    Perm.FILL_INTERVIEW: frozenset({_SENIOR}),
    Perm.READ_INTERVIEWS: frozenset({_LEAD, _LEADER, _SENIOR}),
    Perm.REVIEW_INTAKE_NOTICES: frozenset({_ADMIN}),
    Perm.MANAGE_SERVICE_AREAS: frozenset({_ADMIN}),
    Perm.MANAGE_CRITERIA: frozenset({_ADMIN, _LEAD}),
    Perm.VIEW_INTAKE_FUNNEL: frozenset({_ADMIN, _LEAD}),
    Perm.MANAGE_PARTNERS: frozenset({_ADMIN, _LEAD}),
    Perm.VIEW_SMS_OUTBOX: frozenset({_ADMIN, _LEAD}),
    Perm.PLAN_VISITS: frozenset({_LEAD, _LEADER}),
    Perm.VIEW_OWN_VISITS: frozenset({_SENIOR}),
    Perm.RESET_CALENDAR_FEEDS: frozenset({_ADMIN, _LEAD, _LEADER}),
    Perm.EXPORT_HOURS: frozenset({_LEAD, _LEADER}),
    Perm.VIEW_RECEIPTS: frozenset({_LEAD, _LEADER, _SENIOR}),
    Perm.MANAGE_SMS_TEMPLATES: frozenset({_ADMIN, _LEAD}),
    Perm.VIEW_JOB_RUNS: frozenset({_ADMIN}),
    Perm.VIEW_SENIOR_OVERVIEW: frozenset({_ADMIN, _LEAD, _LEADER}),
    Perm.TAKE_JOBS: frozenset({_SENIOR}),
    Perm.MANAGE_OPENINGS: frozenset({_LEAD, _LEADER}),
    Perm.VIEW_UNKNOWN_SMS: frozenset({_ADMIN}),
    Perm.READ_EVALUATIONS: frozenset({_LEAD, _LEADER}),
    Perm.HANDLE_CONCERNS: frozenset({_ADMIN, _LEAD, _LEADER}),
    Perm.CHOOSE_CONCERN_ALERTS: frozenset({_LEADER}),
    Perm.VIEW_QUALITY: frozenset({_ADMIN, _LEAD, _LEADER}),
    Perm.WRITE_SENIORPOSTEN: frozenset({_ADMIN, _LEAD, _LEADER}),
    Perm.READ_SENIORPOSTEN: frozenset({_SENIOR}),
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    role: frozenset(perm for perm, roles in PERM_ROLES.items() if role in roles)
    for role in Role.values
}

# Roles that see every department of their organization; the others see their own.
ALL_DEPARTMENT_ROLES = frozenset({Role.ADMIN, Role.LEAD})


def has_perm(membership: Membership | None, perm: Perm) -> bool:
    """True when the active membership's role grants `perm`."""
    if membership is None or not membership.is_active:
        return False
    return perm in ROLE_PERMISSIONS.get(membership.role, frozenset())


def roles_with(perm: Perm) -> frozenset[str]:
    """The roles that are granted `perm`."""
    return frozenset(role for role, perms in ROLE_PERMISSIONS.items() if perm in perms)


def sees_all_departments(membership: Membership) -> bool:
    return membership.role in ALL_DEPARTMENT_ROLES


def can_see_department(membership: Membership, department_id: int | None) -> bool:
    """True when `membership` may see things of the department `department_id`."""
    if sees_all_departments(membership):
        return True
    return department_id is not None and department_id in membership.department_ids


def invitable_roles(membership: Membership) -> list[str]:
    """The roles `membership` may invite people to."""
    if has_perm(membership, Perm.INVITE_STAFF):
        return [Role.ADMIN, Role.LEAD, Role.LEADER, Role.SENIOR]
    if has_perm(membership, Perm.INVITE_SENIORS):
        return [Role.SENIOR]
    return []


def requires_mfa(membership: Membership | None) -> bool:
    """True when the membership's role must have MFA before any data page."""
    from django.conf import settings

    return membership is not None and membership.role in settings.MFA_REQUIRED_ROLES
