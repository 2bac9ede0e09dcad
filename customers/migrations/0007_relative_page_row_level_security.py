from __future__ import annotations

from django.db import migrations

from seniorene.accounts.rls import EnableTenantRLS

# Lets the relative's public page find the organization of a link before any tenant is
# set; it answers with that one id for the SHA-256 hash of a token, nothing else. Like the
# other look-ups (audit.0003) it is the application role's alone, not PUBLIC's.
LINK_LOOKUP = """
CREATE OR REPLACE FUNCTION seniorene_relative_link_organization(hash text) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT organization_id FROM customers_relativelink WHERE token_hash = $1
$$;
REVOKE ALL ON FUNCTION seniorene_relative_link_organization(text) FROM PUBLIC;
"""

# The organizations and relatives a mobile number belongs to, for "send me a new link"
# typed on the page of a link that does not work: ids only, the SMS goes to the number
# on file.
PHONE_LOOKUP = """
CREATE OR REPLACE FUNCTION seniorene_relative_page_phone(phone text)
RETURNS TABLE (organization_id bigint, relative_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.organization_id, r.id FROM customers_relative r WHERE r.phone = $1
$$;
REVOKE ALL ON FUNCTION seniorene_relative_page_phone(text) FROM PUBLIC;
"""


def create_lookups(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LINK_LOOKUP)
        schema_editor.execute(PHONE_LOOKUP)


def drop_lookups(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS seniorene_relative_link_organization(text)")
        schema_editor.execute("DROP FUNCTION IF EXISTS seniorene_relative_page_phone(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0006_relative_page"),
        ("accounts", "0002_row_level_security"),
        # The default privileges that give new look-ups to the application role only.
        ("audit", "0003_audit_append_only"),
    ]

    operations = [
        EnableTenantRLS("relativelink"),
        EnableTenantRLS("relativedevice"),
        EnableTenantRLS("relativeaccesscode"),
        migrations.RunPython(create_lookups, drop_lookups),
    ]
