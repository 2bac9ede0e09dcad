"""`make load`: 100 simulated people against gunicorn, PostgreSQL and Redis on loopback.

Run by the Makefile with production settings against its own database
(`seniorene_load`). It seeds the large organization (bench/seed.py), adds
leaders and open visits so that every simulated person has an account of
their own, starts gunicorn (connected as a login role bound by row-level
security, as production's web processes are), and then for LOAD_SECONDS
(120) runs:

- 50 seniors on phones: log in (password), open the agenda, a visit, the
  visit log form, and log the visit (POST); then the next visit;
- 50 leaders: log in (password and TOTP code), open the department's week,
  the recipient list, a recipient card and next week.

Each person waits 2–8 s between pages (reading, typing; LOAD_THINK=min,max).
First everyone logs in, one by one over 30 s (the password hash, Argon2, is
the costliest thing the server does, on purpose); then all 100 work for the
LOAD_SECONDS, counted from when the last has started (each starts at a random
moment of a first round of four pages). The two phases are reported
apart: a working day has a few logins per person, not one every request.
Every request goes through gunicorn as a browser behind a TLS proxy would
send it (X-Forwarded-Proto, its own X-Forwarded-For). It reports throughput,
p50, p95, p99 and errors for the work (all pages and each page) and for the
logins, the CPU seconds that gunicorn, PostgreSQL and this driver used during
the work, and writes `var/load/load.json`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seniorene.settings")

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from allauth.mfa.models import Authenticator  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.run import machine  # noqa: E402
from bench.seed import PASSWORD, TOTP_SECRET, _members, analyze, seed_organization  # noqa: E402
from customers.models import Assignment, CareRecipient  # noqa: E402
from seniorene.accounts.models import MembershipDepartment, Role  # noqa: E402
from seniorene.accounts.rls import ensure_bound_login_role  # noqa: E402
from visits.models import Visit  # noqa: E402
from visits.planning import plans_expand  # noqa: E402

PORT = int(os.environ.get("LOAD_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
# The name the browsers use (the TLS proxy's), whichever server answers.
HOST = "localhost"
ORIGIN = f"https://{HOST}"
USERS = int(os.environ.get("LOAD_USERS", "250"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "120"))
# The organization's size (bench/seed.py; 1: 150 seniors, 2,000 recipients, a year of visits).
SCALE = float(os.environ.get("LOAD_SCALE", "1"))
# As production runs it (Dockerfile, docker-compose.yml): three sync workers.
WORKERS = int(os.environ.get("LOAD_WORKERS", "3"))
# Threads per worker: more than one makes gunicorn's workers threaded (gthread).
THREADS = int(os.environ.get("LOAD_THREADS", "1"))
# Logins at the pace of 100 people in 30 s (3.3 a second), however many there are.
RAMP_SECONDS = 30.0 * USERS / 100
# Seconds a person spends on a page before the next click: reading, typing a note.
THINK = tuple(float(x) for x in os.environ.get("LOAD_THINK", "2,8").split(","))
# Enough unlogged visits for the fastest senior (four pages of at least 2 s per visit).
VISITS_PER_SENIOR = 24
OUT = Path(os.environ.get("LOAD_OUT", str(ROOT / "var" / "load" / "load.json")))


# --- Setup (synchronous, before the clock starts) ------------------------------------


def prepare() -> dict[str, Any]:
    """Seed, and return the accounts and objects each simulated person uses."""
    seeded = seed_organization(f"load-{os.getpid()}", scale=SCALE)
    org = seeded.organization
    n_seniors = USERS // 2
    n_leaders = USERS - n_seniors
    extra = _members(org, Role.LEADER, max(0, n_leaders - len(seeded.leaders)), "loadleader")
    MembershipDepartment.objects.bulk_create(
        MembershipDepartment(organization=org, membership=m, department=seeded.departments[i % 10])
        for i, m in enumerate(extra)
    )
    for m in extra:
        Authenticator.objects.filter(user=m.user, type=Authenticator.Type.TOTP).delete()
        TOTP.activate(m.user, TOTP_SECRET)
    leaders = (seeded.leaders + extra)[:n_leaders]
    plans_expand(organization_id=org.pk)  # the weeks ahead, as the nightly job keeps them

    # One unlogged visit a day over the past days, at 15.00, after the seeded slots
    # (not all at once: a senior double-booked sixteen times today is no one's week).
    afternoon = timezone.localtime().replace(hour=15, minute=0, second=0, microsecond=0)
    seniors = []
    open_visits = []
    for senior in seeded.seniors[:n_seniors]:
        recipient_ids = list(
            Assignment.objects.filter(senior=senior).values_list("recipient_id", flat=True)
        )
        for i in range(VISITS_PER_SENIOR):
            started = afternoon - timedelta(days=i + 1)
            open_visits.append(
                Visit(
                    organization=org,
                    recipient_id=recipient_ids[i % len(recipient_ids)],
                    senior=senior,
                    starts_at=started,
                    original_starts_at=started,
                    duration_minutes=60,
                )
            )
    made = Visit.objects.bulk_create(open_visits, batch_size=5000)
    by_senior: dict[int, list[int]] = defaultdict(list)
    for v in made:
        by_senior[v.senior_id].append(v.pk)
    for senior in seeded.seniors[:n_seniors]:
        seniors.append({"email": senior.user.email, "visits": by_senior[senior.pk]})
    people = [{"role": "senior", **s} for s in seniors]
    for leader in leaders:
        dept = MembershipDepartment.objects.filter(membership=leader).first().department_id
        recipients = list(
            CareRecipient.objects.filter(department_id=dept).values_list("pk", flat=True)[:50]
        )
        people.append({"role": "leader", "email": leader.user.email, "recipients": recipients})
    analyze()
    connection.close()
    return {
        "people": people,
        "data": seeded.counts,
        "organization_id": org.pk,
        # No simulated person logs in as the admin: `make load-cluster` probes the rate limit.
        "probe_email": seeded.admin.user.email,
    }


# --- The simulated people ------------------------------------------------------------


@dataclass
class Stats:
    samples: list[tuple[str, float, float, bool]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def form_value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*?value="([^"]*)"', html)
    return found.group(1) if found else ""


class Servers:
    """Where the requests go: one gunicorn (`make load`) or several (`make load-cluster`).

    Each request goes to the next live server in turn, as a load balancer sends
    them. A connection that could not be made (refused: nothing was sent) marks
    that server down and the request goes to the next; an error after the request
    was sent is not retried (it may have been served) and counts as lost.
    """

    def __init__(self, client: httpx.AsyncClient, bases: list[str]) -> None:
        self.client = client
        self.bases = bases
        self.down: set[str] = set()
        self.turn = 0
        self.served: dict[str, int] = defaultdict(int)
        self.in_flight: dict[str, int] = defaultdict(int)
        self.retried = 0  # requests sent again to another server after a refused connection
        # Requests that failed after they were sent: (page, server, started, ended, error).
        self.lost: list[tuple[str, str, float, float, str]] = []

    def next_base(self, tried: set[str]) -> str | None:
        live = [b for b in self.bases if b not in self.down and b not in tried]
        if not live:
            return None
        self.turn += 1
        return live[self.turn % len(live)]

    async def request(
        self, name: str, method: str, path: str, **kwargs: Any
    ) -> tuple[httpx.Response, str]:
        tried: set[str] = set()
        while True:
            base = self.next_base(tried)
            if base is None:
                raise httpx.ConnectError(f"no server left for {path}")
            started = time.perf_counter()
            self.in_flight[base] += 1
            try:
                response = await self.client.request(method, base + path, **kwargs)
            except httpx.ConnectError:
                self.down.add(base)
                tried.add(base)
                self.retried += 1
                continue
            except httpx.HTTPError as exc:
                self.lost.append((name, base, started, time.perf_counter(), repr(exc)))
                raise
            finally:
                self.in_flight[base] -= 1
            self.served[base] += 1
            return response, base


class Person:
    def __init__(self, servers: Servers, stats: Stats, number: int) -> None:
        self.servers = servers
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self.ip = f"10.{number // 250}.{number % 250}.{10 + number % 200}"
        self.used: set[str] = set()  # the servers that answered this person

    async def call(
        self, name: str, method: str, path: str, data: dict[str, str] | None = None
    ) -> httpx.Response | None:
        headers = {
            "X-Forwarded-For": self.ip,
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if method == "POST":
            headers |= {"Origin": ORIGIN, "Referer": ORIGIN + path}
        expected = 302 if method == "POST" else 200
        started = time.perf_counter()
        try:
            response, base = await self.servers.request(
                name, method, path, data=data, headers=headers
            )
        except httpx.HTTPError as exc:
            self.stats.samples.append((name, started, time.perf_counter() - started, False))
            self.stats.errors.append(f"{name} {path}: {exc!r}")
            return None
        self.used.add(base)
        elapsed = time.perf_counter() - started
        ok = response.status_code == expected
        self.stats.samples.append((name, started, elapsed, ok))
        if not ok:
            self.stats.errors.append(f"{name} {path}: HTTP {response.status_code}")
        for header in response.headers.get_list("set-cookie"):
            for key, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[key] = morsel.value
                else:
                    self.cookies.pop(key, None)
        return response if ok else None

    async def login(self, email: str, *, totp: bool) -> bool:
        page = await self.call("login page", "GET", "/konto/login/")
        if page is None:
            return False
        token = CSRF.search(page.text).group(1)
        data = {"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD}
        answer = await self.call("login POST", "POST", "/konto/login/", data)
        if answer is None or not totp:
            return answer is not None
        path = answer.headers["location"]
        page = await self.call("2FA page", "GET", path)
        if page is None:
            return False
        code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
        data = {"csrfmiddlewaretoken": CSRF.search(page.text).group(1), "code": code}
        return await self.call("2FA POST", "POST", path, data) is not None


async def think() -> None:
    await asyncio.sleep(random.uniform(*THINK))  # noqa: S311 - timing jitter, not secrets


async def senior(person: Person, who: dict[str, Any], until: float) -> None:
    visits = list(who["visits"])
    while time.monotonic() < until and visits:
        visit = visits.pop()
        await person.call("agenda", "GET", "/mine-besok/")
        await think()
        await person.call("visit", "GET", f"/mine-besok/{visit}/")
        await think()
        form = await person.call("visit log form", "GET", f"/mine-besok/{visit}/for/")
        await think()
        if form is None:
            continue
        data = {
            "csrfmiddlewaretoken": CSRF.search(form.text).group(1),
            "happened": "1",
            "submission_key": form_value(form.text, "submission_key"),
            "checked_in": form_value(form.text, "checked_in"),
            "checked_out": form_value(form.text, "checked_out"),
            "went_well": "Vi gikk en tur og snakket om hagen.",
            "could_change": "",
        }
        await person.call("log visit POST", "POST", f"/mine-besok/{visit}/for/", data)
        await think()


async def leader(person: Person, who: dict[str, Any], until: float) -> None:
    next_week = (timezone.localdate() + timedelta(days=7)).isoformat()
    while time.monotonic() < until:
        await person.call("week", "GET", "/besok/uke/")
        await think()
        await person.call("recipient list", "GET", "/brukere/")
        await think()
        pk = random.choice(who["recipients"])  # noqa: S311 - not secrets
        await person.call("recipient card", "GET", f"/brukere/{pk}/")
        await think()
        await person.call("next week", "GET", f"/besok/uke/?uke={next_week}")
        await think()


@dataclass
class Run:
    logins: Stats
    work: Stats
    login_seconds: float
    work_seconds: float
    work_cpu: dict[str, float]
    servers: Servers
    persons: list[Person | None]
    begin: float  # perf_counter() when the measured work began
    during: Any = None  # what the `during` coroutine returned


# `during(servers, begin, until)`: run beside the work (`make load-cluster` kills a server).
During = Callable[[Servers, float, float], Awaitable[Any]]


async def drive(
    people: list[dict[str, Any]],
    gunicorn_pids: list[int],
    bases: list[str],
    during: During | None = None,
) -> Run:
    """Everyone logs in (over RAMP_SECONDS), then everyone works for SECONDS."""
    logins, work = Stats(), Stats()
    limits = httpx.Limits(max_connections=len(people), max_keepalive_connections=len(people))
    order = sorted(range(len(people)), key=lambda i: (i % 2, i))  # mix the roles
    # Every server is reached under one name, as behind the TLS proxy in front of them.
    headers = {"Host": HOST}
    async with httpx.AsyncClient(timeout=30, limits=limits, headers=headers) as client:
        servers = Servers(client, bases)
        started = time.monotonic()

        async def log_in(n: int, who: dict[str, Any]) -> Person | None:
            await asyncio.sleep(RAMP_SECONDS * n / len(people))
            person = Person(servers, logins, n)
            ok = await person.login(who["email"], totp=who["role"] == "leader")
            return person if ok else None

        persons = await asyncio.gather(*(log_in(n, people[i]) for n, i in enumerate(order)))
        login_seconds = time.monotonic() - started

        # Each starts at a random moment of one round (four pages), as people at
        # work are at different points of theirs; the measured SECONDS begin
        # when the last one has started, and count only requests begun since.
        first_round = 4 * THINK[1]
        begin = time.perf_counter() + first_round
        until = time.monotonic() + first_round + SECONDS
        cpu_at_begin: dict[str, float] = {}

        async def work_on(person: Person, who: dict[str, Any]) -> None:
            person.stats = work
            await asyncio.sleep(random.uniform(0, first_round))  # noqa: S311 - not secrets
            await (senior if who["role"] == "senior" else leader)(person, who, until)

        async def mark_begin() -> None:
            await asyncio.sleep(first_round)
            cpu_at_begin.update(cpu_seconds(gunicorn_pids))

        beside = [during(servers, begin, until)] if during else []
        results = await asyncio.gather(
            mark_begin(),
            *beside,
            *(
                work_on(person, people[i])
                for person, i in zip(persons, order, strict=True)
                if person is not None
            ),
        )
        after = cpu_seconds(gunicorn_pids)
        work.samples = [sample for sample in work.samples if sample[1] >= begin]
        return Run(
            logins=logins,
            work=work,
            login_seconds=login_seconds,
            work_seconds=time.perf_counter() - begin,
            work_cpu={k: round(after[k] - cpu_at_begin[k], 1) for k in after},
            servers=servers,
            persons=list(persons),
            begin=begin,
            during=results[1] if during else None,
        )


# --- gunicorn and the report ---------------------------------------------------------


WEB_ROLE = "seniorene_load_web"


def web_database_url() -> str:
    """The database as production's web processes see it: a login role bound by RLS.

    A member of the app role (no BYPASSRLS, not the owner), so every query pays
    for the row-level-security policies as it would in production.
    """
    ensure_bound_login_role(WEB_ROLE)
    connection.close()
    parts = urlsplit(os.environ["DATABASE_URL"])
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{WEB_ROLE}@{host}"))


def start_gunicorn(
    port: int = PORT, workers: int = WORKERS, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """gunicorn on 127.0.0.1:`port` in a process group of its own (so that it can be
    killed whole, master and workers), once it answers /healthz."""
    env = {
        **os.environ,
        "DATABASE_URL": web_database_url(),
        "SECURE_PROXY_SSL_HEADER": "true",
        "TRUSTED_PROXY_COUNT": "1",
        **(env or {}),
    }
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn with fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "seniorene.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(THREADS),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    os.killpg(process.pid, signal.SIGKILL)
    raise SystemExit(f"gunicorn on port {port} did not answer /healthz")


def _proc_seconds(pid: int) -> tuple[float, float]:
    """(CPU seconds of `pid` itself, of its children that ended and were waited for)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    utime, stime, cutime, cstime = (int(x) / tick for x in fields[11:15])
    return utime + stime, cutime + cstime


def _tree_seconds(root: int, members: list[int]) -> float:
    """CPU seconds of `root`, its running `members` and every member that already ended."""
    own, ended = _proc_seconds(root)
    total = own + ended
    for pid in members:
        with contextlib.suppress(FileNotFoundError):  # ended since the listing
            total += sum(_proc_seconds(pid))
    return total


def cpu_seconds(gunicorn_pids: list[int]) -> dict[str, float]:
    """CPU seconds used so far by gunicorn (all workers), PostgreSQL and this driver.

    Read from /proc: each process's own time, plus, for gunicorn's master and
    PostgreSQL's postmaster, the time of the children that ended (connections
    that closed, workers that restarted). "postgres" is the whole server's: on a
    shared machine it includes the other databases' work.
    """
    ps = subprocess.run(  # noqa: S603 - fixed arguments
        ["/bin/ps", "-eo", "pid,ppid,comm", "--no-headers"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [line.split(None, 2) for line in ps.splitlines()]
    alive = [pid for pid in gunicorn_pids if Path(f"/proc/{pid}").exists()]
    postgres = {int(pid): int(ppid) for pid, ppid, comm in rows if comm.strip() == "postgres"}
    postmaster = next(pid for pid, ppid in postgres.items() if ppid not in postgres)
    backends = [pid for pid in postgres if pid != postmaster]
    times = os.times()
    return {
        "gunicorn": sum(
            _tree_seconds(pid, [int(p) for p, ppid, _comm in rows if int(ppid) == pid])
            for pid in alive
        ),
        "postgres": _tree_seconds(postmaster, backends),
        "driver": times.user + times.system,
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


Sample = tuple[str, float, float, bool]


def summary(samples: list[Sample], seconds: float) -> dict[str, Any]:
    times = [t for _n, _s, t, _ok in samples]
    if not times:
        return {}
    return {
        "requests": len(samples),
        "per_second": len(samples) / seconds,
        "errors": sum(not ok for *_rest, ok in samples),
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "p99_ms": percentile(times, 99),
        "mean_ms": statistics.fmean(times) * 1000,
    }


def main() -> None:
    print("Seeding the load organization …", flush=True)
    plan = prepare()
    print(f"  {plan['data']}; {len(plan['people'])} people", flush=True)
    server = start_gunicorn()
    print(
        f"gunicorn with {WORKERS} workers × {THREADS} threads on {BASE}; "
        f"logins over {RAMP_SECONDS:.0f} s, "
        f"then {SECONDS:.0f} s of work …",
        flush=True,
    )
    try:
        run = asyncio.run(drive(plan["people"], [server.pid], [BASE]))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    by_page: dict[str, list[Sample]] = defaultdict(list)
    for sample in run.work.samples:
        by_page[sample[0]].append(sample)
    by_step: dict[str, list[Sample]] = defaultdict(list)
    for sample in run.logins.samples:
        by_step[sample[0]].append(sample)
    result = {
        "date": timezone.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "users": len(plan["people"]),
        "seconds": run.work_seconds,
        "gunicorn_workers": WORKERS,
        "gunicorn_threads": THREADS,
        "think_time_s": THINK,
        "data": plan["data"],
        "work": summary(run.work.samples, run.work_seconds),
        "by_page": {
            name: summary(rows, run.work_seconds) for name, rows in sorted(by_page.items())
        },
        "logins": summary(run.logins.samples, run.login_seconds),
        "login_seconds": run.login_seconds,
        "by_login_step": {name: summary(r, run.login_seconds) for name, r in by_step.items()},
        "work_cpu_seconds": run.work_cpu,
        # Other engineers' work on this machine: the 1, 5 and 15-minute load averages.
        "load_average_after": os.getloadavg(),
        "first_errors": (run.logins.errors + run.work.errors)[:20],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\n{result['date']} · {result['machine']}")
    print(
        f"{result['users']} people, gunicorn {WORKERS} workers × {THREADS} threads, "
        f"think time {THINK[0]}–{THINK[1]} s"
    )
    print(f"\n{'':26} {'requests':>8} {'req/s':>7} {'errors':>6} {'p50':>7} {'p95':>7} {'p99':>7}")
    rows = [(f"work, {run.work_seconds:.0f} s (all pages)", result["work"])]
    rows += [(f"  {name}", row) for name, row in result["by_page"].items()]
    rows += [(f"logins, {run.login_seconds:.0f} s (all steps)", result["logins"])]
    rows += [(f"  {name}", row) for name, row in result["by_login_step"].items()]
    for name, row in rows:
        print(
            f"{name:26} {row['requests']:8d} {row['per_second']:7.1f} {row['errors']:6d} "
            f"{row['p50_ms']:6.0f}ms {row['p95_ms']:6.0f}ms {row['p99_ms']:6.0f}ms"
        )
    cores = os.cpu_count() or 1
    print(
        f"CPU seconds during the work: {result['work_cpu_seconds']} "
        f"(the machine had {cores * run.work_seconds:.0f}; load average after: "
        f"{', '.join(f'{x:.1f}' for x in result['load_average_after'])})"
    )
    for error in result["first_errors"]:
        print("error:", error)
    print(f"\nJSON: {OUT}")


if __name__ == "__main__":
    main()
