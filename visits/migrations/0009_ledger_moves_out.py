"""Hours, km and outlays move to the `ledger` app (issue 17): state only.

The tables (`visits_timeentry`, `visits_mileageentry`, `visits_expense`), their rows,
constraints, indexes and row-level security stay as they are; `ledger/migrations/0001_initial`
takes the models over under the same table names.
"""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("visits", "0008_draft_per_senior")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="TimeEntry"),
                migrations.DeleteModel(name="MileageEntry"),
                migrations.DeleteModel(name="Expense"),
            ],
            database_operations=[],
        )
    ]
