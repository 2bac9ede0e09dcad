"""Hours, km and outlays moved from `visits` to `ledger` without touching the database
(issue 17): rows written before the move read back through the ledger's models, with the
same table names, constraints, row-level security and content types."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from ledger.models import Expense, MileageEntry, TimeEntry
from tests.factories import CareRecipientFactory, MembershipFactory

BEFORE_THE_MOVE = [("visits", "0008_draft_per_senior"), ("ledger", None)]
TABLES = {
    TimeEntry: "visits_timeentry",
    MileageEntry: "visits_mileageentry",
    Expense: "visits_expense",
}
CONSTRAINTS = {
    "time_intake_never_invoiced",
    "time_entry_once_per_source",
    "mileage_intake_purpose_no_customer",
    "mileage_once_per_source",
    "expense_intake_never_invoiced",
    "expense_once_per_source",
}

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="checks PostgreSQL policies and constraints"
)


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _leaves() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _rows(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


def _policy_and_constraints() -> tuple[set[str], set[str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid "
            "WHERE c.relrowsecurity AND p.polname = 'tenant_isolation'"
        )
        protected = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT con.conname FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
            "WHERE c.relname = ANY(%s) "
            "UNION SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)",
            [list(TABLES.values()), list(TABLES.values())],
        )
        names = {row[0] for row in cursor.fetchall()}
    return protected, names


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_read_back_through_the_ledger():
    senior = MembershipFactory()
    recipient = CareRecipientFactory(department__organization=senior.organization)
    org = senior.organization_id
    type_ids = {m: ContentType.objects.get_for_model(m).pk for m in TABLES}
    leaves = _leaves()
    try:
        # 1. Back to the commit before the move: the rows are written with visits' models.
        old = _migrate(BEFORE_THE_MOVE).loader.project_state(BEFORE_THE_MOVE[:1]).apps
        common = {"organization_id": org, "membership_id": senior.pk, "date": date(2026, 11, 3)}
        visit = {**common, "recipient_id": recipient.pk, "billable": True, "source": "visit"}
        intake = {**common, "billable": False, "source": "intake", "source_id": 7}
        time = old.get_model("visits", "TimeEntry")
        mileage = old.get_model("visits", "MileageEntry")
        expense = old.get_model("visits", "Expense")
        time.objects.create(hours=Decimal("1.50"), activity="Omsorg", source_id=11, **visit)
        time.objects.create(hours=Decimal("0.75"), **intake)
        mileage.objects.create(km=Decimal("12.5"), purpose="Omsorg", source_id=11, **visit)
        mileage.objects.create(km=Decimal("4.0"), purpose="bli kjent møte", **intake)
        expense.objects.create(
            amount=Decimal("49.90"),
            description="Notatbok",
            receipt=f"receipts/{org}/abc.jpg",
            source_id=11,
            **visit,
        )
        written = {
            TimeEntry: list(time.objects.order_by("pk").values()),
            MileageEntry: list(mileage.objects.order_by("pk").values()),
            Expense: list(expense.objects.order_by("pk").values()),
        }
    finally:
        # 2. Forward again, over the move.
        _migrate(leaves)

    # 3. Every row, every field, through the ledger's models, in the same tables.
    for model, table in TABLES.items():
        assert model._meta.app_label == "ledger"
        assert model._meta.db_table == table
        assert len(written[model]) >= 1
        assert _rows(model) == written[model]
    assert Expense.objects.get().receipt.name == f"receipts/{org}/abc.jpg"
    # 4. Policies, constraints and content types came along.
    protected, names = _policy_and_constraints()
    assert set(TABLES.values()) <= protected
    assert names >= CONSTRAINTS
    assert {m: ContentType.objects.get_for_model(m).pk for m in TABLES} == type_ids
    assert not ContentType.objects.filter(
        app_label="visits", model__in=["timeentry", "mileageentry", "expense"]
    ).exists()
    # 5. R7 still holds in the database: an intake row cannot be invoiced.
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeEntry.objects.create(hours=Decimal("1"), **{**intake, "billable": True})
