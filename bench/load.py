"""`make load`: 100 simulated people against gunicorn, PostgreSQL and Redis on loopback.

Run by the Makefile with production settings against its own database
(`seniorene_load`). It seeds the large organization (bench/seed.py), adds
leaders and open visits so that every simulated person has an account of
their own, starts gunicorn, and then for LOAD_SECONDS (120) runs:

- 50 seniors on phones: log in (password), open the agenda, a visit, the
  visit log form, and log the visit (POST); then the next visit;
- 50 leaders: log in (password and TOTP code), open the department's week,
  the recipient list, a recipient card and next week.

Each person waits 2–8 s between pages (reading, typing; LOAD_THINK=min,max).
People start one by one over the first 30 s; the report's "steady" rows count
only requests that began after the last login finished. Every request
goes through gunicorn as a browser behind a TLS proxy would send it
(X-Forwarded-Proto, its own X-Forwarded-For). It reports throughput, p50, p95,
p99 and errors, overall and per page, and writes `var/load/load.json`.
"""

from __future__ import annotations

import asyncio
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
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

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
from bench.seed import PASSWORD, TOTP_SECRET, _members, seed_organization  # noqa: E402
from customers.models import Assignment, CareRecipient  # noqa: E402
from seniorene.accounts.models import MembershipDepartment, Role  # noqa: E402
from visits.models import Visit  # noqa: E402
from visits.services import plans_expand  # noqa: E402

PORT = int(os.environ.get("LOAD_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
ORIGIN = f"https://127.0.0.1:{PORT}"
USERS = int(os.environ.get("LOAD_USERS", "100"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "120"))
WORKERS = int(os.environ.get("LOAD_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
RAMP_SECONDS = 30.0
# Seconds a person spends on a page before the next click: reading, typing a note.
THINK = tuple(float(x) for x in os.environ.get("LOAD_THINK", "2,8").split(","))
VISITS_PER_SENIOR = 60
OUT = Path(os.environ.get("LOAD_OUT", str(ROOT / "var" / "load" / "load.json")))


# --- Setup (synchronous, before the clock starts) ------------------------------------


def prepare() -> dict[str, Any]:
    """Seed, and return the accounts and objects each simulated person uses."""
    seeded = seed_organization(f"load-{os.getpid()}", scale=1.0)
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

    # One unlogged visit a day over the past weeks (not all at once: a senior
    # double-booked sixty times today would make a week page no one has).
    today_noon = timezone.now().replace(minute=0, second=0, microsecond=0)
    seniors = []
    open_visits = []
    for senior in seeded.seniors[:n_seniors]:
        recipient_ids = list(
            Assignment.objects.filter(senior=senior).values_list("recipient_id", flat=True)
        )
        for i in range(VISITS_PER_SENIOR):
            started = today_noon - timedelta(days=i + 1)
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
    connection.close()
    return {"people": people, "data": seeded.counts}


# --- The simulated people ------------------------------------------------------------


@dataclass
class Stats:
    samples: list[tuple[str, float, float, bool]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def form_value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*?value="([^"]*)"', html)
    return found.group(1) if found else ""


class Person:
    def __init__(self, client: httpx.AsyncClient, stats: Stats, number: int) -> None:
        self.client = client
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self.ip = f"10.{number // 250}.{number % 250}.{10 + number % 200}"

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
            response = await self.client.request(method, path, data=data, headers=headers)
        except httpx.HTTPError as exc:
            self.stats.samples.append((name, started, time.perf_counter() - started, False))
            self.stats.errors.append(f"{name} {path}: {exc!r}")
            return None
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
    if not await person.login(who["email"], totp=False):
        return
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
    if not await person.login(who["email"], totp=True):
        return
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


async def drive(people: list[dict[str, Any]]) -> tuple[Stats, float]:
    stats = Stats()
    limits = httpx.Limits(max_connections=len(people), max_keepalive_connections=len(people))
    async with httpx.AsyncClient(base_url=BASE, timeout=30, limits=limits) as client:
        started = time.monotonic()
        until = started + SECONDS

        async def run(i: int, who: dict[str, Any]) -> None:
            await asyncio.sleep(RAMP_SECONDS * i / len(people))
            person = Person(client, stats, i)
            role = senior if who["role"] == "senior" else leader
            await role(person, who, until)

        order = sorted(range(len(people)), key=lambda i: (i % 2, i))  # mix the roles
        await asyncio.gather(*(run(n, people[i]) for n, i in enumerate(order)))
        return stats, time.monotonic() - started


# --- gunicorn and the report ---------------------------------------------------------


def start_gunicorn() -> subprocess.Popen[bytes]:
    env = {**os.environ, "SECURE_PROXY_SSL_HEADER": "true", "TRUSTED_PROXY_COUNT": "1"}
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn with fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "seniorene.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(WORKERS),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            if httpx.get(f"{BASE}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not answer /healthz")


def cpu_seconds(gunicorn_pid: int) -> dict[str, float]:
    """CPU seconds used so far by gunicorn (all workers), PostgreSQL and this driver.

    PostgreSQL counts only the processes still running: a backend that ended
    takes its CPU time with it, so that figure is a lower bound.
    """
    ps = subprocess.run(  # noqa: S603 - fixed arguments
        ["/bin/ps", "-eo", "pid,ppid,times,args", "--no-headers"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    used = {"gunicorn": 0.0, "postgres": 0.0}
    for line in ps.splitlines():
        pid, ppid, secs, args = line.split(None, 3)
        if int(pid) == gunicorn_pid or int(ppid) == gunicorn_pid:
            used["gunicorn"] += float(secs)
        elif args.startswith("postgres:"):
            used["postgres"] += float(secs)
    times = os.times()
    used["driver"] = times.user + times.system
    return used


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
    print(f"gunicorn with {WORKERS} workers on {BASE}; running {SECONDS:.0f} s …", flush=True)
    before = cpu_seconds(server.pid)
    try:
        stats, elapsed = asyncio.run(drive(plan["people"]))
        after = cpu_seconds(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    cpu = {k: round(after[k] - before[k], 1) for k in after}
    logins = {"login page", "login POST", "2FA page", "2FA POST"}
    pages = [s for s in stats.samples if s[0] not in logins]
    last_login = max(s + t for n, s, t, _ok in stats.samples if n in logins)
    first = min(s for _n, s, _t, _ok in stats.samples)
    steady = [x for x in pages if x[1] >= last_login]
    steady_s = max(x[1] + x[2] for x in stats.samples) - last_login
    by_name: dict[str, list[Sample]] = defaultdict(list)
    for sample in steady:
        by_name[sample[0]].append(sample)
    result = {
        "date": timezone.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "users": len(plan["people"]),
        "seconds": elapsed,
        "gunicorn_workers": WORKERS,
        "think_time_s": THINK,
        "data": plan["data"],
        "steady_from_s": last_login - first,
        "steady": summary(steady, steady_s),
        "pages": summary(pages, elapsed),
        "everything_with_logins": summary(stats.samples, elapsed),
        "by_page_steady": {name: summary(rows, steady_s) for name, rows in sorted(by_name.items())},
        "cpu_seconds": cpu,
        "first_errors": stats.errors[:20],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\n{result['date']} · {result['machine']}")
    print(
        f"{result['users']} people for {elapsed:.0f} s, gunicorn {WORKERS} workers, "
        f"think time {THINK[0]}–{THINK[1]} s"
    )
    print(f"\n{'':24} {'requests':>8} {'req/s':>7} {'errors':>6} {'p50':>7} {'p95':>7} {'p99':>7}")
    rows = [
        ("all, with logins", result["everything_with_logins"]),
        ("pages (no logins)", result["pages"]),
        (f"steady (from {result['steady_from_s']:.0f} s)", result["steady"]),
    ]
    rows += [(f"  {name}", row) for name, row in result["by_page_steady"].items()]
    for name, s in rows:
        print(
            f"{name:24} {s['requests']:8d} {s['per_second']:7.1f} {s['errors']:6d} "
            f"{s['p50_ms']:6.0f}ms {s['p95_ms']:6.0f}ms {s['p99_ms']:6.0f}ms"
        )
    print(f"CPU seconds used (PostgreSQL: running backends only): {result['cpu_seconds']}")
    for error in result["first_errors"]:
        print("error:", error)
    print(f"\nJSON: {OUT}")


if __name__ == "__main__":
    main()
