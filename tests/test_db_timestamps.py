"""Times read from PostgreSQL through psycopg's compiled loader (seniorene/db.py) are the
times Django's own loader gives: the same instant, aware, in `datetime.timezone.utc`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader

from seniorene.db import TIMESTAMPTZ_OID, UtcTimestampLoader
from tests.factories import VisitFactory
from visits.models import Visit

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="psycopg's loaders exist only on PostgreSQL"
    ),
]

OSLO = ZoneInfo("Europe/Oslo")
# Microseconds, the ends of what Python holds, and the hours around Oslo's clock changes.
INSTANTS = [
    datetime(2026, 3, 10, 9, 30, 15, 123456, tzinfo=OSLO),
    datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),  # 01:59:59 CET, then 03:00 CEST
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST, the first of two
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 02:30 CET, the second
    datetime(1900, 1, 1, 0, 0, tzinfo=OSLO),  # Oslo's offset then was not a whole hour
    datetime(1, 1, 1, 0, 0, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
]


def read(sql: str, params: list, *, djangos: bool = False) -> list[datetime]:
    with connection.cursor() as cursor:
        if djangos:
            register_tzloader(connection.timezone, cursor.cursor)
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def test_every_connection_reads_timestamps_with_the_compiled_loader():
    connection.ensure_connection()
    assert connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, 0) is UtcTimestampLoader


def test_the_compiled_loader_reads_the_instants_djangos_loader_reads():
    sql = "SELECT unnest(%s::timestamptz[])"
    ours = read(sql, [INSTANTS])
    djangos = read(sql, [INSTANTS], djangos=True)
    assert ours == djangos == INSTANTS
    assert all(value.tzinfo is UTC for value in ours + djangos)
    assert [v.isoformat() for v in ours] == [v.isoformat() for v in djangos]


def test_a_visit_saved_in_oslo_time_reads_back_at_the_same_moment_in_utc():
    start = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=OSLO)  # the second 02:30 (CET)
    visit = VisitFactory(starts_at=start, original_starts_at=start)
    again = Visit.objects.get(pk=visit.pk)
    # (Python never calls a fold=1 time equal to one in another zone: compare in UTC.)
    assert again.starts_at == start.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert again.starts_at.tzinfo is UTC
    assert again.starts_at.astimezone(OSLO).utcoffset() == timedelta(hours=1)
