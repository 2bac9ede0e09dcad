from __future__ import annotations

from django.db import migrations

from seniorene.accounts.rls import EnableTenantRLS, GrantSharedTables

# Lets an anonymous visitor holding an invitation link find its organization
# before any tenant is set; it reveals nothing but that one id.
INVITATION_LOOKUP = """
CREATE OR REPLACE FUNCTION seniorene_invitation_organization(tok text) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT organization_id FROM accounts_invitation WHERE token = tok
$$;
"""


def create_lookup(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INVITATION_LOOKUP)


def drop_lookup(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS seniorene_invitation_organization(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("sessions", "__latest__"),
        ("admin", "__latest__"),
        ("account", "__latest__"),
        ("mfa", "__latest__"),
        ("django_celery_beat", "__latest__"),
    ]

    operations = [
        EnableTenantRLS("department"),
        EnableTenantRLS("membership", also_own_user_rows=True),
        EnableTenantRLS("membershipdepartment"),
        EnableTenantRLS("invitation"),
        EnableTenantRLS("invitationdepartment"),
        GrantSharedTables(),
        migrations.RunPython(create_lookup, drop_lookup),
    ]
