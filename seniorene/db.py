"""PostgreSQL timestamps read through psycopg's compiled loader.

Django reads every `timestamptz` through a loader it derives from psycopg's pure-Python
one (`BaseTzLoader`), because the compiled one (psycopg-binary) cannot be subclassed
(Django ticket #36960, psycopg issue #1273). That costs about 6 µs a value: a leader's
week reads some 900 timestamps (5 ms of a 60 ms page), the card's SMS conversation a
hundred more. On a connection whose time zone is UTC — Django sets it so when
`USE_TZ` is on and the database has no `TIME_ZONE` of its own — the compiled loader
gives the very value Django's does: an aware datetime in `datetime.timezone.utc`.
`UtcTimestampLoader` wraps it, and `use_compiled_timestamps` registers it on each new
connection (`connection_created`). Anywhere else (SQLite, another time zone, psycopg
without its compiled part) Django's loader stays.

`tests/test_db_timestamps.py` reads the same values through both loaders.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from psycopg import abc, adapters
from psycopg.adapt import Buffer, Loader
from psycopg.postgres import types
from psycopg.pq import Format
from psycopg.types.datetime import TimestamptzLoader

TIMESTAMPTZ_OID = types["timestamptz"].oid
# psycopg's own map holds the compiled loader when psycopg-binary is installed.
_COMPILED: type[abc.Loader] = adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT) or TimestamptzLoader


class UtcTimestampLoader(Loader):
    """A `timestamptz` as an aware datetime in UTC, by psycopg's compiled loader."""

    # Django's cursor compares this with the connection's zone before it reads
    # (`DatabaseWrapper.create_cursor`); equal, it keeps the connection's loader.
    timezone = UTC

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        self._load = _COMPILED(oid, context).load

    def load(self, data: Buffer) -> datetime:
        value: datetime = self._load(data)
        # The connection's zone is UTC, so this holds; were it not, the instant is kept.
        return value if value.tzinfo is UTC else value.astimezone(UTC)


def use_compiled_timestamps(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created`: read timestamps on `connection` with `UtcTimestampLoader`."""
    if (
        connection.vendor != "postgresql"
        or _COMPILED is TimestamptzLoader  # no compiled psycopg: nothing to gain
        or connection.timezone is not UTC
        or connection.connection.info.parameter_status("TimeZone") != "UTC"
    ):
        return
    connection.connection.adapters.register_loader(TIMESTAMPTZ_OID, UtcTimestampLoader)
