from __future__ import annotations

from django.db import migrations

from evaluations.lookups import DROP_SQL, EVALUATION_ORGANIZATION_SQL
from seniorene.accounts.rls import EnableTenantRLS


def create_lookup(apps, schema_editor):
    # Not PUBLIC's, the application role's alone: the default privileges of audit.0003.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EVALUATION_ORGANIZATION_SQL)


def drop_lookup(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0001_initial"),
        ("accounts", "0002_row_level_security"),
        ("audit", "0003_audit_append_only"),
    ]

    operations = [
        EnableTenantRLS("evaluation"),
        migrations.RunPython(create_lookup, drop_lookup),
    ]
