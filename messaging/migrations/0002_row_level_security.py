from __future__ import annotations

from django.db import migrations

from seniorene.accounts.rls import EnableTenantRLS
from messaging.lookups import DROP_SQL, MESSAGE_ORGANIZATION_SQL, STOP_TARGETS_SQL


def create_lookups(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(MESSAGE_ORGANIZATION_SQL)
        schema_editor.execute(STOP_TARGETS_SQL)


def drop_lookups(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("sms", "0001_initial"),
        ("accounts", "0002_row_level_security"),
        ("customers", "0002_row_level_security"),
    ]

    operations = [
        EnableTenantRLS("smsmessage"),
        EnableTenantRLS("staffsmsconsent"),
        migrations.RunPython(create_lookups, drop_lookups),
    ]
