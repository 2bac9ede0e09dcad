"""The application's database role cannot rewrite the audit trail, and the cross-tenant
look-up functions are the application's alone (issue 16, hole 6; migration
``audit.0003_audit_append_only``).

Every statement runs as the role production connects as (``DATABASE_APP_ROLE``), as
the login roles bound to it (the tests' Celery workers; `make load`'s gunicorn is
made by the same `ensure_bound_login_role`), and as a role with no grants at all,
which has exactly what PUBLIC has.
"""

from __future__ import annotations

from contextlib import contextmanager, suppress

import pytest
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from customers.models import ConsentPurpose
from customers.services import recipient_anonymise
from messaging.models import SmsAudience, SmsMessage, SmsPurpose
from seniorene.accounts import services as account_services
from seniorene.accounts.models import Role
from seniorene.accounts.rls import ensure_bound_login_role
from seniorene.accounts.tenancy import db_set_tenant
from seniorene.audit.models import AuditEvent, ViewRecord
from seniorene.audit.services import audit_record, view_record
from tests.factories import CareRecipientFactory, ConsentFactory, RelativeFactory
from tests.workers import WORKER_ROLE
from visits.models import CalendarFeed

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="database roles exist only on PostgreSQL"
    ),
]

APP = settings.DATABASE_APP_ROLE
NOBODY = "seniorene_test_no_grants"  # holds what PUBLIC holds, nothing more
APP_ROLES = [APP, WORKER_ROLE]
LABEL = "object_repr"  # the one column anonymisation overwrites

LOOKUPS = {
    "seniorene_invitation_organization": "SELECT seniorene_invitation_organization(%s)",
    "seniorene_calendar_feed_organization": "SELECT seniorene_calendar_feed_organization(%s)",
    "seniorene_sms_message_organization": "SELECT seniorene_sms_message_organization(%s)",
    "seniorene_sms_stop_targets": "SELECT organization_id, kind, row_id "
    "FROM seniorene_sms_stop_targets(%s, %s)",
    "seniorene_sms_inbound_senders": "SELECT organization_id, kind, recipient_id, relative_id "
    "FROM seniorene_sms_inbound_senders(%s)",
    # Issue 21: the relative's page finds its organization from a link's hash, and "send me
    # a new link" the relatives of a number.
    "seniorene_relative_link_organization": "SELECT seniorene_relative_link_organization(%s)",
    "seniorene_relative_page_phone": "SELECT organization_id, relative_id "
    "FROM seniorene_relative_page_phone(%s)",
    "seniorene_evaluation_organization": "SELECT seniorene_evaluation_organization(%s)",
}


@pytest.fixture(scope="module", autouse=True)
def roles(django_db_setup, django_db_blocker):
    """The worker role (as tests/workers.py makes it) and a role with no grants, committed
    once: roles belong to the whole cluster, which parallel test runs may share."""
    with django_db_blocker.unblock():
        for create in (
            lambda: ensure_bound_login_role(WORKER_ROLE),
            lambda: connection.cursor().execute(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{NOBODY}') "
                f"THEN CREATE ROLE {NOBODY} NOLOGIN NOSUPERUSER NOBYPASSRLS; END IF; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            ),
        ):
            # IntegrityError: another run created it at the same moment.
            with suppress(IntegrityError):
                create()


def as_role(role: str, sql: str, params=(), *, org: int | None = None):
    """Run `sql` as `role` (with tenant `org` set) in a savepoint; return all rows."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")
        if org is not None:
            cursor.execute("SELECT set_config('seniorene.organization_id', %s, true)", [str(org)])
        cursor.execute(sql, params)
        rows = cursor.fetchall() if cursor.description else []
        cursor.execute("RESET ROLE")
    return rows


def log_rows(world):
    """One audit event and one view record of the home organization, about a recipient."""
    home = world.home
    recipient = CareRecipientFactory(department=home.dept_a, name="Astrid Ødegaard")
    event = audit_record(
        organization=home.organization,
        actor=home.leader_a.user,
        action="recipient.updated",
        obj=recipient,
        details={"fields": ["phone"]},
    )
    seen = view_record(
        organization=home.organization, viewer=home.leader_a.user, obj=recipient, what="card"
    )
    return recipient, {AuditEvent: event, ViewRecord: seen}


def rewrites() -> list[tuple[type, str]]:
    """(model, SQL) for every way of changing a log row other than relabelling it."""
    cases = []
    for model in (AuditEvent, ViewRecord):
        table = model._meta.db_table
        for field in model._meta.concrete_fields:
            if field.column != LABEL:
                column = connection.ops.quote_name(field.column)
                cases.append((model, f"UPDATE {table} SET {column} = {column} WHERE id = %s"))  # noqa: S608
        cases.append((model, f"DELETE FROM {table} WHERE id = %s"))  # noqa: S608
        cases.append((model, f"TRUNCATE {table}"))
    return cases


@pytest.mark.parametrize("role", [*APP_ROLES, NOBODY])
@pytest.mark.parametrize(
    ("model", "sql"),
    rewrites(),
    ids=[f"{m.__name__}:{s.split(' WHERE')[0]}" for m, s in rewrites()],
)
def test_no_role_of_the_application_can_rewrite_or_remove_a_log_row(world, role, model, sql):
    _recipient, rows = log_rows(world)
    row = rows[model]
    params = [] if sql.startswith("TRUNCATE") else [row.pk]
    with pytest.raises(DatabaseError, match="permission denied"):
        as_role(role, sql, params, org=world.home.organization.pk)
    fresh = model.objects.get(pk=row.pk)
    assert (fresh.at, fresh.object_repr) == (row.at, row.object_repr)


@contextmanager
def acting_as(role: str, org: int, user: int | None = None):
    """The block's ORM queries run as `role` for tenant `org`, as a request or task does."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {role}")
        db_set_tenant(org, user, local=True)
        yield
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@pytest.mark.parametrize("role", APP_ROLES)
def test_the_application_still_adds_and_reads_log_rows_and_relabels_them(world, role):
    home = world.home
    recipient, rows = log_rows(world)
    with acting_as(role, home.organization.pk):
        audit_record(
            organization=home.organization, actor=None, action="recipient.viewed", obj=recipient
        )
        view_record(
            organization=home.organization, viewer=home.lead.user, obj=recipient, what="card"
        )
        for model in (AuditEvent, ViewRecord):
            assert model.objects.filter(object_id=str(recipient.pk)).count() == 2
            relabelled = model.objects.filter(pk=rows[model].pk).update(
                object_repr="Anonymisert bruker"
            )
            assert relabelled == 1
    for model in (AuditEvent, ViewRecord):
        assert model.objects.get(pk=rows[model].pk).object_repr == "Anonymisert bruker"


def test_anonymisation_scrubs_the_log_labels_as_the_application_role(world):
    """What the web process and the retention task do, with only the app role's grants."""
    home = world.home
    recipient, _rows = log_rows(world)
    with acting_as(APP, home.organization.pk, home.leader_a.user.pk):
        recipient_anonymise(recipient=recipient, by=home.leader_a.user)
    same = {"object_type": "customers.carerecipient", "object_id": str(recipient.pk)}
    labels = set(AuditEvent.objects.filter(**same).values_list(LABEL, flat=True)) | set(
        ViewRecord.objects.filter(**same).values_list(LABEL, flat=True)
    )
    assert labels == {f"Anonymisert bruker {recipient.pk}"}


def other_organization_lookups(world) -> dict[str, tuple[list, int]]:
    """For each look-up: arguments that find a row of the *other* organization, and its id."""
    other = world.other
    org = other.organization.pk
    invitation = account_services.invitation_create(
        by=other.leader_a,
        email="invitert@borte.example",
        name="Invitert Senior",
        role=Role.SENIOR,
        departments=[other.dept_a],
    )
    CalendarFeed.objects.create(
        organization=other.organization, membership=other.senior_a, key="7" * 24
    )
    relative = RelativeFactory(recipient__department=other.dept_a, phone="+4791234567")
    consent = ConsentFactory(
        recipient=relative.recipient, relative=relative, purpose=ConsentPurpose.VISIT_SUMMARY_SMS
    )
    message = SmsMessage.objects.create(
        organization=other.organization,
        to_phone="+4791234567",  # E.164, as the outbox stores it
        body="Hei",
        purpose=SmsPurpose.VISIT_SUMMARY_SMS,
        audience=SmsAudience.RELATIVE,
        recipient=relative.recipient,
        relative=relative,
        idempotency_key="append-only",
    )
    from customers.relative_access import link_issue
    from customers.relative_access import token_hash as link_token_hash
    from evaluations.services import token_hash
    from tests.evaluations.helpers import an_evaluation, oslo

    token = link_issue(relative=relative, now=timezone.now())
    an_evaluation(relative.recipient, token="E" * 32, at=oslo(2026, 3, 2, 9))
    return {
        "seniorene_relative_link_organization": ([link_token_hash(token)], [(org,)]),
        "seniorene_relative_page_phone": (["+4791234567"], [(org, relative.pk)]),
        "seniorene_evaluation_organization": ([token_hash("E" * 32)], [(org,)]),
        "seniorene_invitation_organization": ([invitation.token], [(org,)]),
        "seniorene_calendar_feed_organization": (["7" * 24], [(org,)]),
        "seniorene_sms_message_organization": ([message.pk], [(org,)]),
        "seniorene_sms_stop_targets": (
            ["+4791234567", [ConsentPurpose.VISIT_SUMMARY_SMS.value]],
            [(org, "consent", consent.pk)],
        ),
        "seniorene_sms_inbound_senders": (
            ["+4791234567"],
            [(org, "relative", relative.recipient_id, relative.pk), (org, "outbox", None, None)],
        ),
    }


@pytest.mark.parametrize("function", sorted(LOOKUPS))
def test_public_cannot_execute_a_cross_tenant_lookup(world, function):
    args, _answer = other_organization_lookups(world)[function]
    with pytest.raises(DatabaseError, match="permission denied for function"):
        as_role(NOBODY, LOOKUPS[function], args)


@pytest.mark.parametrize("role", APP_ROLES)
@pytest.mark.parametrize("function", sorted(LOOKUPS))
def test_the_application_roles_still_answer_the_lookups_their_callers_need(world, role, function):
    """Invitation links, calendar feeds, SMS tasks and STOP webhooks start without a tenant."""
    args, answer = other_organization_lookups(world)[function]
    assert as_role(role, LOOKUPS[function], args) == answer


def test_every_security_definer_function_is_the_application_roles_alone_and_pinned():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proname, "
            "has_function_privilege(%s, p.oid, 'EXECUTE'), "
            "has_function_privilege(%s, p.oid, 'EXECUTE'), "
            "p.proconfig "
            "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' AND p.prosecdef",
            [NOBODY, APP],
        )
        functions = {name: rest for name, *rest in cursor.fetchall()}
    assert set(LOOKUPS) <= set(functions)
    for name, (public, app, config) in functions.items():
        assert not public, f"PUBLIC can execute {name}"
        assert app, f"{APP} cannot execute {name}"
        assert "search_path=public, pg_temp" in (config or []), f"{name}: {config}"
