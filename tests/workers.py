"""Real `celery worker` and `celery beat` processes for the tests that are about them.

They log in to the test database as a role bound by row-level security (as production's
app role), take tasks from a queue of the test's own on the real Redis, and are killed
(SIGKILL, the whole process group) in teardown. The fixtures `worker_role` and
`celery_queue` live in tests/conftest.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from seniorene.accounts.rls import ensure_bound_login_role
from seniorene.celery import app as celery_app

BASE_DIR = Path(settings.BASE_DIR)
WORKER_ROLE = "seniorene_test_worker"

needs_postgresql_and_redis = pytest.mark.skipif(
    connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis"),
    reason="needs PostgreSQL and Redis (REDIS_URL)",
)


@dataclass
class Process:
    """A started celery process and its log file."""

    process: subprocess.Popen
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, needle: str, count: int = 1, timeout: float = 30) -> None:
        """Wait until the log holds `needle` `count` times (fail if the process dies)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.text().count(needle) >= count:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        pytest.fail(f"never logged {needle!r} x{count}:\n{self.text()[-3000:]}")

    def wait_for_tasks(self, task_ids: list[str], timeout: float = 30) -> None:
        for task_id in task_ids:
            self.wait_for(f"[{task_id}] succeeded", timeout=timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # main process and its children
        self.process.wait(timeout=10)


def sends(tmp_path: Path) -> Counter[int]:
    """What the recording SMS backend sent, as message id → times (it appends each send)."""
    log = tmp_path / "sends.log"
    return Counter(int(line) for line in log.read_text().split()) if log.exists() else Counter()


def worker_waits_on_a_lock(dbname: str) -> bool:
    """True while a worker's database session waits for a row lock (the test holds it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = %s AND usename = %s AND wait_event_type = 'Lock'",
            [dbname, WORKER_ROLE],
        )
        return cursor.fetchone()[0] > 0


def create_worker_role() -> str:
    """A login role that is a member of the app role: row-level security binds it."""
    return ensure_bound_login_role(WORKER_ROLE)


@contextmanager
def own_queue(prefix: str) -> Iterator[str]:
    """Publish for real (not eagerly) to a queue of the test's own; remove it after."""
    name = f"{prefix}-{uuid.uuid4().hex[:12]}"
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield name
    finally:
        celery_app.conf.task_always_eager = eager
        with celery_app.connection_for_write() as conn:
            redis = conn.default_channel.client
            redis.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")


def worker_env(*, role: str, settings_module: str, tmp_path: Path, **extra: str) -> dict:
    """The environment of a celery process: the test database as `role`, the real broker."""
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        # The workers are part of the test run: the test process's built-in key and hosts.
        "TESTING": "true",
        "DATABASE_URL": "postgres://{}@{}:{}/{}".format(
            role, db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["NAME"]
        ),
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SMS_TEST_DIR": str(tmp_path),
        "PYTHONPATH": str(BASE_DIR),
        **extra,
    }


def worker_args(*, queue: str, name: str, concurrency: int = 2) -> list[str]:
    return [
        "worker", "--pool=prefork", f"--concurrency={concurrency}", "-Q", queue,
        "-n", f"{name}@%h", "--without-mingle", "--without-gossip", "--without-heartbeat",
    ]  # fmt: skip


def launch(args: list[str], *, env: dict, log: Path, ready: str) -> Process:
    """Start `celery -A seniorene <args>` and wait until it logs `ready`."""
    process = subprocess.Popen(  # noqa: S603 - our own celery binary
        [str(BASE_DIR / ".venv/bin/celery"), "-A", "seniorene", *args, "--loglevel=INFO"],
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    started = Process(process, log)
    try:
        started.wait_for(ready)
    except BaseException:
        started.kill()
        raise
    return started
