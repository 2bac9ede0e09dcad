"""The audit trail is append-only for the application, and the cross-tenant look-ups
are the application's alone (issue 16, hole 6).

- The application role (and the login roles bound to it: the tests' workers, the
  load's gunicorn) may INSERT and SELECT audit events and view records, but not
  DELETE or TRUNCATE them, and UPDATE only their label (``object_repr``), which
  anonymisation overwrites with "Anonymisert bruker <id>" (customers.services).
- The SECURITY DEFINER look-up functions (invitation token, calendar feed key,
  SMS message, STOP phone number → organization/row ids) are no longer executable
  by PUBLIC, only by the application role, and their search_path is pinned with
  pg_temp last, so a caller's temporary table cannot stand in for a real one.
  Functions that later migrations create are likewise not PUBLIC's by default.

Migrations run as the owner, whom none of this restricts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import migrations

AUDIT_TABLES = "audit_auditevent, audit_viewrecord"
LABEL_COLUMN = "object_repr"

# Every SECURITY DEFINER function in the public schema, as `name(argtypes)`.
DEFINER_FUNCTIONS = """
    SELECT p.oid::regprocedure::text AS fn FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public' AND p.prosecdef
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    role = settings.DATABASE_APP_ROLE
    schema_editor.execute(
        f"""
        DO $$
        DECLARE f record;
        BEGIN
            FOR f IN {DEFINER_FUNCTIONS} LOOP
                EXECUTE 'REVOKE ALL ON FUNCTION ' || f.fn || ' FROM PUBLIC';
                EXECUTE 'ALTER FUNCTION ' || f.fn || ' SET search_path = public, pg_temp';
            END LOOP;
            -- Functions created later by this (the migrating) role: not PUBLIC's.
            ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                REVOKE UPDATE, DELETE, TRUNCATE ON {AUDIT_TABLES} FROM {role};
                GRANT SELECT, INSERT ON {AUDIT_TABLES} TO {role};
                GRANT UPDATE ({LABEL_COLUMN}) ON {AUDIT_TABLES} TO {role};
                FOR f IN {DEFINER_FUNCTIONS} LOOP
                    EXECUTE 'GRANT EXECUTE ON FUNCTION ' || f.fn || ' TO {role}';
                END LOOP;
                ALTER DEFAULT PRIVILEGES IN SCHEMA public
                    GRANT EXECUTE ON FUNCTIONS TO {role};
            END IF;
        END
        $$;
        """  # noqa: S608 - our own identifiers
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    role = settings.DATABASE_APP_ROLE
    schema_editor.execute(
        f"""
        DO $$
        DECLARE f record;
        BEGIN
            FOR f IN {DEFINER_FUNCTIONS} LOOP
                EXECUTE 'GRANT EXECUTE ON FUNCTION ' || f.fn || ' TO PUBLIC';
                EXECUTE 'ALTER FUNCTION ' || f.fn || ' SET search_path = public';
            END LOOP;
            ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                GRANT SELECT, INSERT, UPDATE, DELETE ON {AUDIT_TABLES} TO {role};
                ALTER DEFAULT PRIVILEGES IN SCHEMA public
                    REVOKE EXECUTE ON FUNCTIONS FROM {role};
            END IF;
        END
        $$;
        """  # noqa: S608 - our own identifiers
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_row_level_security"),
        # The migrations that create the SECURITY DEFINER look-ups.
        ("accounts", "0002_row_level_security"),
        ("visits", "0004_row_level_security_plans"),
        ("sms", "0002_row_level_security"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
