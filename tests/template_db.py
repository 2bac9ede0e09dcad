"""One migrated test database per run, cloned for each pytest-xdist worker.

Migrating a PostgreSQL test database takes seconds of CPU; three workers each migrating
their own (pytest-django's default) do that work three times on a 2-core machine. Here the
first worker to need a database migrates a template (`test_seniorene_template`) while the
others wait on a file lock, and every worker then gets its own database as
`CREATE DATABASE test_seniorene_gwN TEMPLATE test_seniorene_template`, about a second.
The template is made anew on every run (the lock's folder is the run's own), so a fresh
clone and a changed migration are always migrated. The databases are left in place when
the run ends, as `--reuse-db` leaves them (dropping one takes seconds, at the end of the
run, when nothing else runs beside it), and the next run replaces them.

The test databases do not wait for the disk at each commit (`synchronous_commit` off):
the suite needs no durability if the machine crashes, and a commit costs about a
millisecond instead of several (the browser and worker tests commit every request).

Without pytest-xdist, or on SQLite, the suite creates its database as pytest-django does.
"""

from __future__ import annotations

import fcntl
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

WORKER_SUFFIX = re.compile(r"_gw\d+$")


def template_name(worker_database: str) -> str:
    """`test_seniorene_template` for `test_seniorene_gw0` (pytest-django's xdist suffix)."""
    return WORKER_SUFFIX.sub("", worker_database) + "_template"


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def drop_database(name: str) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")


def create_database(name: str, template: str | None = None) -> None:
    """CREATE DATABASE, as a copy of `template` when given, that does not wait for the
    disk at each commit: the tests need no durability across a crash of the machine."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    with connection.creation._nodb_cursor() as cursor:
        copy = f" TEMPLATE {quote(template)}" if template else ""
        cursor.execute(f"CREATE DATABASE {quote(name)}{copy}")
        cursor.execute(f"ALTER DATABASE {quote(name)} SET synchronous_commit TO off")


def create_worker_database(shared: Path, *, verbosity: int, serialize: bool) -> str:
    """Create this worker's test database from the run's template, migrating the template
    first if no worker has yet. Returns the database's original NAME (for teardown)."""
    connection = connections[DEFAULT_DB_ALIAS]
    creation = connection.creation
    original_name = connection.settings_dict["NAME"]
    worker_database = creation._get_test_db_name()
    template = template_name(worker_database)
    # A database left by an earlier run (the runs leave them, see `django_db_setup`).
    drop_database(worker_database)

    with file_lock(shared / "test-database.lock"):
        marker = shared / "test-database.template"
        if not marker.exists():
            # The first worker: migrate the template under the test settings' name.
            drop_database(template)
            create_database(template)
            connection.settings_dict["TEST"]["NAME"] = template
            try:
                creation.create_test_db(verbosity, autoclobber=True, serialize=False, keepdb=True)
            finally:
                connection.settings_dict["TEST"]["NAME"] = worker_database
            # CREATE DATABASE ... TEMPLATE needs the template to have no sessions.
            connection.close()
            connection.close_pool()
            marker.write_text(template)
        # Cloned under the lock: a template being copied may not be connected to.
        create_database(worker_database, template=template)

    settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"] = worker_database
    connection.settings_dict["NAME"] = worker_database
    connection.close()
    if serialize:
        connection._test_serialized_contents = creation.serialize_db_to_string()
    connection.ensure_connection()
    return original_name


def restore_database_name(original_name: str) -> None:
    """Point the settings back at the original database, leaving the worker's in place."""
    connection = connections[DEFAULT_DB_ALIAS]
    connection.close()
    settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"] = original_name
    connection.settings_dict["NAME"] = original_name
