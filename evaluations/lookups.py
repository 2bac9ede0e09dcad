"""The one cross-tenant read of the evaluation link, for a page opened without a login.

The answer page knows only the link's secret. On PostgreSQL the application role sees no
tenant rows until the tenant is set (R9), so a narrow SECURITY DEFINER function (migration
``evaluations.0002``) answers with the organization id of the evaluation whose hash the
secret has, and nothing else; the page then reads the evaluation inside that tenant, as
``messaging.lookups`` does for the SMS gateway.
"""

from __future__ import annotations

from django.db import connection

EVALUATION_ORGANIZATION_SQL = """
CREATE OR REPLACE FUNCTION seniorene_evaluation_organization(hash text) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT organization_id FROM evaluations_evaluation WHERE token_hash = hash
$$;
"""

DROP_SQL = "DROP FUNCTION IF EXISTS seniorene_evaluation_organization(text);"


def evaluation_organization_id(token_hash: str) -> int | None:
    """The organization of the evaluation with `token_hash`, across tenants (None: none)."""
    if connection.vendor != "postgresql":
        from evaluations.models import Evaluation

        return (
            Evaluation.objects.filter(token_hash=token_hash)
            .values_list("organization_id", flat=True)
            .first()
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT seniorene_evaluation_organization(%s)", [token_hash])
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None
