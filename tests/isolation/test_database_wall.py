"""R9's second wall: PostgreSQL row-level security on every tenant table."""

from __future__ import annotations

from contextlib import suppress

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from customers import services as customer_services
from customers.models import Customer, StatusChange
from ledger.models import MileageEntry, TimeEntry
from omsorg import services as omsorg_services
from omsorg.models import LeaderNotice
from seniorene.accounts import services
from seniorene.accounts.models import Department, Membership, Role, TenantModel
from seniorene.audit.models import AuditEvent
from seniorene.audit.services import audit_record, view_record
from tests.conftest import login
from tests.evaluations.helpers import populate_evaluations_tables
from tests.factories import (
    CareRecipientFactory,
    ConsentFactory,
    IntakeInterviewFactory,
    RelativeFactory,
    make_criteria,
    make_notification,
)
from tests.family.helpers import populate_family_tables
from tests.jobs.helpers import populate_jobs_tables
from tests.openings.helpers import populate_openings_tables
from tests.sms.helpers import populate_sms_tables
from tests.training.helpers import populate_training_tables
from tests.visits.helpers import populate_visits_tables
from tests.workers import WORKER_ROLE, create_worker_role

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-level security exists only on PostgreSQL"
    ),
]

ROLE = settings.DATABASE_APP_ROLE


def tenant_tables() -> list[str]:
    return sorted(
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if issubclass(m, TenantModel) and not m._meta.abstract
    )


def as_app_role(sql: str, params=(), *, org: int | None = None):
    """Run `sql` as the application role in a savepoint; return all rows."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {ROLE}")
        if org is not None:
            cursor.execute("SELECT set_config('seniorene.organization_id', %s, true)", [str(org)])
        cursor.execute(sql, params)
        rows = cursor.fetchall() if cursor.description else []
        cursor.execute("RESET ROLE")
    return rows


def test_every_tenant_table_has_the_policy():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid "
            "WHERE c.relrowsecurity AND p.polname = 'tenant_isolation'"
        )
        protected = {row[0] for row in cursor.fetchall()}
    assert set(tenant_tables()) <= protected, set(tenant_tables()) - protected


def test_the_application_role_cannot_bypass_it():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [ROLE])
        assert cursor.fetchone() == (False, False)


def populate_ledger_tables(world, recipient) -> None:
    """Issue 22: a correction, a month sent to Tripletex and one of its rows."""
    from ledger.models import ExportLine, LedgerCorrection, MonthLock

    home = world.home
    common = {"organization": home.organization, "membership": home.senior_a}
    LedgerCorrection.objects.create(
        entry_kind="km",
        source="visit",
        field="km",
        reason="Feil",
        changed_by=home.leader_a.user,
        changed_at=timezone.now(),
        month=timezone.localdate().replace(day=1),
        recipient=recipient,
        **common,
    )
    lock = MonthLock.objects.create(
        organization=home.organization,
        department=home.dept_a,
        month=timezone.localdate().replace(day=1),
        locked_by=home.lead.user,
        locked_at=timezone.now(),
    )
    ExportLine.objects.create(
        lock=lock,
        line_kind="entry",
        entry_kind="km",
        entry_id=1,
        day=timezone.localdate(),
        quantity=3,
        billable=True,
        **common,
    )


def populate_every_tenant_table(world) -> None:
    """At least one row in every tenant table (extend when an app adds a tenant model)."""
    home = world.home
    audit_record(organization=home.organization, actor=None, action="test")
    view_record(organization=home.organization, viewer=home.lead.user, obj=home.dept_a, what="t")
    recipient = CareRecipientFactory(department=home.dept_a, seniors=[home.senior_a])
    StatusChange.objects.create(
        organization=home.organization, recipient=recipient, to_status="inquiry"
    )
    Customer.objects.create(organization=home.organization, recipient=recipient, kind="recipient")
    ConsentFactory(recipient=recipient, relative=RelativeFactory(recipient=recipient))
    screening_criteria, _training = make_criteria(home.organization)
    omsorg_services.screening_record(
        recipient=recipient,
        by=home.leader_a,
        answers={c.pk: (True, "") for c in screening_criteria},
    )
    interview = IntakeInterviewFactory(recipient=recipient, senior=home.senior_a)
    make_notification(interview)
    partner = customer_services.partner_save(
        by=home.admin, data={"name": "Frivilligsentralen", "kind": "volunteer_centre"}
    )
    customer_services.partner_meeting_add(
        partner=partner, by=home.admin, held_on=interview.starts_at.date(), attendees=[home.lead]
    )
    LeaderNotice.objects.create(
        organization=home.organization, interview=interview, leader=home.leader_a
    )
    for model, extra in ((TimeEntry, {"hours": 1}), (MileageEntry, {"km": 3, "purpose": "x"})):
        model.objects.create(
            organization=home.organization,
            membership=home.senior_a,
            date=interview.starts_at,
            billable=True,
            source="manual",
            **extra,
        )
    populate_ledger_tables(world, recipient)
    populate_training_tables(world)
    populate_sms_tables(world)
    populate_visits_tables(world)
    populate_jobs_tables(world)
    populate_openings_tables(world)
    populate_family_tables(world)
    populate_evaluations_tables(world)
    services.invitation_create(
        by=home.leader_a,
        email="ny@test.example",
        name="Ny Senior",
        role=Role.SENIOR,
        departments=[home.dept_a],
    )


def test_without_the_tenant_setting_a_raw_query_sees_no_tenant_rows(world):
    populate_every_tenant_table(world)
    for table in tenant_tables():
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our table names
            assert cursor.fetchone()[0] > 0, f"no rows in {table} to hide"
        assert as_app_role(f'SELECT count(*) FROM "{table}"') == [(0,)], table  # noqa: S608


def test_with_the_setting_it_sees_only_its_own_organization(world):
    home = world.home.organization.pk
    rows = as_app_role("SELECT DISTINCT organization_id FROM accounts_department", org=home)
    assert rows == [(home,)]
    count = as_app_role("SELECT count(*) FROM accounts_membership", org=home)[0][0]
    assert count == Membership.objects.filter(organization_id=home).count()


def test_it_refuses_to_write_a_row_into_another_organization(world):
    home, other = world.home.organization.pk, world.other.organization.pk
    with pytest.raises(DatabaseError, match="row-level security"):
        as_app_role(
            "INSERT INTO accounts_department (organization_id, name, email, is_active) "
            "VALUES (%s, 'Snikavdeling', '', true)",
            [other],
            org=home,
        )
    assert not Department.objects.filter(name="Snikavdeling").exists()


@pytest.fixture(scope="module")
def login_role(django_db_setup, django_db_blocker):
    """The tests' login role bound into the application role (tests/workers.py, as the real
    Celery workers use), committed once: roles belong to the whole cluster, which parallel
    test runs may share."""
    with django_db_blocker.unblock(), suppress(IntegrityError):
        create_worker_role()  # IntegrityError: another run made it just now
    return WORKER_ROLE


@pytest.fixture
def app_login(db, login_role):
    """A separate connection that logs in and acts as the application role, as production
    does: it logs in as `login_role` and takes the application role with SET ROLE. (It
    once switched the application role's own LOGIN on and off; that flag belongs to the
    whole cluster, and another test run switched it off between this one's ALTER ROLE and
    its login.)"""
    db_settings = connection.settings_dict
    app = psycopg.connect(
        host=db_settings["HOST"],
        port=db_settings["PORT"] or 5432,
        user=login_role,
        dbname=db_settings["NAME"],
        autocommit=True,
    )
    app.execute(f"SET ROLE {ROLE}")
    assert app.execute("SELECT current_user").fetchone()[0] == ROLE
    yield app
    app.close()


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE accounts_department DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE accounts_department NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY tenant_isolation ON accounts_department",
        "ALTER POLICY tenant_isolation ON accounts_department USING (true)",
        "SET ROLE postgres",
        "ALTER ROLE seniorene_app BYPASSRLS",
        "SET row_security = off; SELECT count(*) FROM accounts_department",
    ],
)
def test_the_application_role_cannot_turn_it_off(app_login, sql):
    with pytest.raises(psycopg.Error):
        app_login.execute(sql)


def test_the_logged_in_application_role_sees_nothing_without_a_tenant(app_login):
    count = app_login.execute("SELECT count(*) FROM accounts_membership").fetchone()[0]
    assert count == 0


@pytest.fixture
def app_role_connection(db):
    """Run the rest of the test as the application role, as production does."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {ROLE}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def test_real_requests_work_through_the_wall_and_show_only_their_tenant(
    world, client, app_role_connection
):
    login(client, world.home.admin)
    html = client.get("/medarbeidere/").content.decode()
    assert world.home.leader_a.user.name in html
    assert world.other.leader_a.user.name not in html
    response = client.post(
        "/avdelinger/", {"name": "Ny avdeling bak muren", "email": ""}, follow=True
    )
    assert response.status_code == 200
    assert "Ny avdeling bak muren" in response.content.decode()
    # The audit row the service wrote went in under the right tenant.
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    event = AuditEvent.objects.get(action="department.created")
    assert event.organization_id == world.home.organization.pk
