"""The database wall (R9): tell PostgreSQL which tenant the current work is for.

Row-level-security policies (migration ``accounts.0002_row_level_security``)
compare each tenant table's ``organization_id`` with the setting
``seniorene.organization_id``; membership rows are also visible to their own
user through ``seniorene.user_id`` so the middleware can find them before the
tenant is known. On SQLite these are no-ops and application scoping
(`TenantQuerySet.for_organization`) is the only wall.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

ORG_SETTING = "seniorene.organization_id"
USER_SETTING = "seniorene.user_id"


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def db_set_tenant(
    organization_id: int | None, user_id: int | None = None, *, local: bool = False
) -> None:
    """Set (or with None, clear) the tenant for this connection or, if `local`, transaction."""
    if not _is_postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, %s), set_config(%s, %s, %s)",
            [
                ORG_SETTING,
                "" if organization_id is None else str(organization_id),
                local,
                USER_SETTING,
                "" if user_id is None else str(user_id),
                local,
            ],
        )


@contextmanager
def tenant_context(organization_id: int, user_id: int | None = None) -> Iterator[None]:
    """Run the block in one transaction bound to `organization_id` (for Celery tasks)."""
    with transaction.atomic():
        db_set_tenant(organization_id, user_id, local=True)
        yield


def organization_for_invitation_token(token: str) -> int | None:
    """The organization id of the invitation with `token`, found across tenants."""
    if not _is_postgres():
        from seniorene.accounts.models import Invitation

        return (
            Invitation.objects.filter(token=token).values_list("organization_id", flat=True).first()
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT seniorene_invitation_organization(%s)", [token])
        row = cursor.fetchone()
    return row[0] if row else None
