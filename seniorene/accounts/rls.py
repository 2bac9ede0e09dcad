"""Row-level security for tenant tables (R9), as a migration operation.

Each app's migration adds ``EnableTenantRLS("<model>")`` for every
`TenantModel` it creates; ``tests/isolation/test_database_wall.py`` fails
for a tenant table without it. On other databases the operation does nothing.

The policy admits a row when its ``organization_id`` equals the transaction's
``seniorene.organization_id`` setting (see `seniorene.accounts.tenancy`). The
application connects as a role that neither owns the tables nor has
BYPASSRLS (``DATABASE_APP_ROLE``), so it can neither switch the policy off nor
read around it; migrations run as the owner.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import connection, migrations

ORG_EXPR = "NULLIF(current_setting('seniorene.organization_id', true), '')::bigint"
USER_EXPR = "NULLIF(current_setting('seniorene.user_id', true), '')::bigint"


def ensure_bound_login_role(name: str) -> str:
    """Create (once) login role `name` as a member of the app role, so that row-level
    security binds it as it binds production's web and worker processes. For the tests'
    real Celery workers and `make load`'s gunicorn; run as a role with CREATEROLE."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError("a role name is a lower-case SQL identifier")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN
                    CREATE ROLE {name} LOGIN NOSUPERUSER NOBYPASSRLS
                        IN ROLE {settings.DATABASE_APP_ROLE};
                END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- another session (a parallel test worker) created it at the same moment
            END
            $$;
            """
        )
    return name


def _ensure_app_role(schema_editor: Any) -> str:
    role = settings.DATABASE_APP_ROLE
    # Creating a role needs CREATEROLE; where the migrating user lacks it, the
    # deployment creates the role itself (docker/postgres/init).
    schema_editor.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS;
            END IF;
        EXCEPTION
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'cannot create role {role}; create it before serving';
            WHEN duplicate_object OR unique_violation THEN
                NULL;  -- another session (a parallel test worker) created it at the same moment
        END
        $$;
        """
    )
    return role


class EnableTenantRLS(migrations.operations.base.Operation):
    """Enable row-level security on `model_name`'s table, scoped by organization.

    `also_own_user_rows`: rows are also visible when their ``user_id`` is the
    request's user (memberships, so the middleware can find them).
    """

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, *, also_own_user_rows: bool = False) -> None:
        self.model_name = model_name
        self.also_own_user_rows = also_own_user_rows

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        kwargs = {"also_own_user_rows": True} if self.also_own_user_rows else {}
        return (self.__class__.__name__, [self.model_name], kwargs)

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        table = schema_editor.quote_name(model._meta.db_table)
        role = _ensure_app_role(schema_editor)
        using = f"organization_id = {ORG_EXPR}"
        read = f"{using} OR user_id = {USER_EXPR}" if self.also_own_user_rows else using
        schema_editor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        schema_editor.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
        schema_editor.execute(
            f"CREATE POLICY tenant_isolation ON {table} USING ({read}) WITH CHECK ({using})"
        )
        schema_editor.execute(
            f"""
            DO $$
            BEGIN
                IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                    GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {role};
                    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
                END IF;
            END
            $$;
            """
        )

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        model = from_state.apps.get_model(app_label, self.model_name)
        table = schema_editor.quote_name(model._meta.db_table)
        schema_editor.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
        schema_editor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")

    def describe(self) -> str:
        return f"Enable tenant row-level security on {self.model_name}"


class GrantSharedTables(migrations.operations.base.Operation):
    """Grant the application role access to tables that are not tenant-owned
    (users, organizations, sessions, allauth, celery beat)."""

    reduces_to_sql = True
    reversible = True

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__name__, [], {})

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        role = _ensure_app_role(schema_editor)
        schema_editor.execute(
            f"""
            DO $$
            DECLARE t record;
            BEGIN
                IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                    FOR t IN SELECT c.relname FROM pg_class c
                             JOIN pg_namespace n ON n.oid = c.relnamespace
                             WHERE n.nspname = 'public' AND c.relkind = 'r'
                               AND NOT c.relrowsecurity LOOP
                        EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON '
                                || quote_ident(t.relname) || ' TO {role}';
                    END LOOP;
                    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
                    -- Tables and sequences that later migrations create.
                    ALTER DEFAULT PRIVILEGES IN SCHEMA public
                        GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role};
                    ALTER DEFAULT PRIVILEGES IN SCHEMA public
                        GRANT USAGE, SELECT ON SEQUENCES TO {role};
                END IF;
            END
            $$;
            """
        )

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        pass

    def describe(self) -> str:
        return "Grant the application role access to shared tables"
