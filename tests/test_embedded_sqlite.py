"""The embedded default (`make run`): its SQLite file holds the web server, the worker and
beat writing at the same time (issue 16, hole 9).

Runs on every database the suite runs on: the two writers are real processes with the
embedded settings and a SQLite file of their own in tmp_path, whatever the test database is.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = 15  # transactions per process

# Like a request (read, then write) or the PDF task (write, work, write): each transaction
# reads first and holds its write for a while, so the two processes' transactions overlap.
# What `make run` does first, alone: migrate (here, one table) through the settings.
SETUP = """
import django

django.setup()
from django.db import connection

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE race (id INTEGER PRIMARY KEY, who TEXT, n INTEGER)")
print("ready")
"""

WRITER = """
import sys, time
from pathlib import Path

import django

django.setup()
from django.db import connection, transaction

who, here, rows = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
(here / f"ready-{who}").touch()
deadline = time.monotonic() + 60
while not (here / "go").exists():
    if time.monotonic() > deadline:
        sys.exit("never told to go")
    time.sleep(0.01)
for n in range(rows):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM race")
        time.sleep(0.02)
        cursor.execute("INSERT INTO race (who, n) VALUES (%s, %s)", [who, n])
        time.sleep(0.03)
        cursor.execute("UPDATE race SET n = n WHERE who = %s", [who])
print("done", who)
"""


def django_process(code: str, *args: str, var_dir: Path) -> subprocess.Popen[str]:
    """A process with the embedded default's settings (no DATABASE_URL: SQLite in VAR_DIR)."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "seniorene.settings",
            "DEBUG": "true",
            "TESTING": "false",
            "VAR_DIR": str(var_dir),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_write_the_embedded_database_at_once_without_locking_errors(tmp_path):
    out, err = django_process(SETUP, var_dir=tmp_path).communicate(timeout=60)
    assert out.split() == ["ready"], err[-3000:]
    web, worker = (
        django_process(WRITER, who, str(tmp_path), str(ROWS), var_dir=tmp_path)
        for who in ("web", "worker")
    )
    try:
        deadline = time.monotonic() + 60
        while not all((tmp_path / f"ready-{who}").exists() for who in ("web", "worker")):
            for process in (web, worker):
                assert process.poll() is None, process.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "the writers never started"
            time.sleep(0.02)
        (tmp_path / "go").touch()
        outcomes = {
            who: p.communicate(timeout=120) for who, p in (("web", web), ("worker", worker))
        }
    finally:
        for process in (web, worker):
            if process.poll() is None:
                process.kill()
                process.communicate()

    for who, (out, err) in outcomes.items():
        assert "database is locked" not in err, f"{who}:\n{err[-3000:]}"
        assert out.split() == ["done", who], f"{who}:\n{err[-3000:]}"
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        rows = db.execute("SELECT who, count(*) FROM race GROUP BY who ORDER BY who").fetchall()
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
    assert rows == [("web", ROWS), ("worker", ROWS)]
    assert journal == "wal"
