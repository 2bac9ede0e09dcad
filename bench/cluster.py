"""`make load-cluster`: the product on "two machines" against one PostgreSQL and one Redis.

Run by the Makefile with production settings against its own database. On this
machine, as separate processes, each in a process group of its own:

- two web servers (gunicorn, CLUSTER_WEB_WORKERS sync workers each) on
  127.0.0.1:CLUSTER_PORT and CLUSTER_PORT + 1, connected as the RLS-bound role;
- two Celery workers (prefork, concurrency 2) on the default queue, with SMS through
  the real Twilio backend pointed at a local Twilio stand-in and e-mail through
  Django's SMTP backend to a local SMTP stand-in (bench/standins.py), both counting
  what they receive per key.

The load driver (bench/load.py's people: LOAD_USERS, half seniors, half leaders)
sends each request to the next live server in turn, so a person's requests — the
login, the TOTP step, every page — land on both servers. Beside the work:

- a few seconds in, the jobs that send are queued twice each, as a beat that fired
  twice or a redelivery would: the reminders to recipients (SMS), the seniors'
  digests and the leaders' unlogged-visit digests (e-mail);
- a failed-login probe from one address, alternating servers: the rate limit (5
  failures per account in 5 minutes) must stop the sixth attempt whichever server
  takes it;
- halfway through, the second web server's process group is killed (SIGKILL).
  Requests that could not connect to it go to the other server (nothing was sent);
  a request that fails after it was sent is not retried and counts as lost, and
  must have been in flight on the killed server: under way when the signal came, or
  sent in the moment it took the group to die (the kernel still accepts connections
  on the listening socket until the last process holding it has exited).

After the work, when the queue is empty, every SMS of the run is queued for
sending once more (a redelivery of each send task) and the queue drained again;
then the SMS the stand-in received (by message id) and the e-mails (by address
and subject) are counted: each exactly once, as many as the database says were
sent. Writes `var/load/cluster.json`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import load  # sets up Django  # noqa: E402
from bench.load import PASSWORD, Servers, summary  # noqa: E402
from bench.run import machine  # noqa: E402
from bench.standins import start_smtp, start_twilio  # noqa: E402
from messaging.models import SmsMessage, SmsStatus  # noqa: E402
from messaging.tasks import send_sms  # noqa: E402
from seniorene.jobs.models import ClaimStatus, JobClaim, JobRun  # noqa: E402
from seniorene.jobs.tasks import run_job  # noqa: E402

ROOT = load.ROOT
PORT = int(os.environ.get("CLUSTER_PORT", "8775"))
BASES = [f"http://127.0.0.1:{PORT}", f"http://127.0.0.1:{PORT + 1}"]
WEB_WORKERS = int(os.environ.get("CLUSTER_WEB_WORKERS", "2"))
JOBS = ("reminders", "senior_digest", "unlogged_leader")
OUT = Path(os.environ.get("CLUSTER_OUT", str(ROOT / "var" / "load" / "cluster.json")))
LOGS = OUT.parent


def start_worker(name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A Celery worker in a process group of its own, once it says it is ready."""
    log = LOGS / f"cluster-{name}.log"
    process = subprocess.Popen(  # noqa: S603 - our own celery with fixed arguments
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "seniorene",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "-n",
            f"{name}@%h",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while " ready." not in log.read_text():
        if time.monotonic() > deadline or process.poll() is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            raise SystemExit(f"Celery worker {name} did not start (see {log})")
        time.sleep(0.3)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, SIGKILL it if it is still there after 30 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def publish_jobs(organization_id: int) -> int:
    """Queue each sending job twice (two deliveries of the same beat run)."""
    n = 0
    for job in JOBS:
        for _ in range(2):
            run_job.apply_async(args=[organization_id, job, None, "cluster"])
            n += 1
    return n


def queue_length() -> int:
    from seniorene.celery import app

    with app.connection_for_write() as conn:
        return int(conn.default_channel.client.llen("celery"))


def wait_until_done(organization_id: int, since: Any, twilio: Any, smtp: Any) -> float:
    """Wait until the queue is empty, no job runs and the stand-ins are quiet for 5 s."""
    started = time.monotonic()
    last, quiet_since = (-1, -1), time.monotonic()
    while time.monotonic() - started < 300:
        now = (sum(twilio.snapshot().values()), sum(smtp.snapshot().values()))
        running = JobRun.objects.filter(
            organization_id=organization_id, started_at__gte=since, finished_at__isnull=True
        ).exists()
        due = SmsMessage.objects.filter(
            organization_id=organization_id,
            created_at__gte=since,
            status__in=[SmsStatus.QUEUED, SmsStatus.SENDING],
            send_after__lte=timezone.now(),
        ).exists()
        if now != last or running or due or queue_length():
            last, quiet_since = now, time.monotonic()
        elif time.monotonic() - quiet_since > 5:
            break
        time.sleep(1)
    return time.monotonic() - started


async def probe_rate_limit(servers: Servers, email: str) -> dict[str, Any]:
    """Seven failed logins to one account from one address, alternating servers."""
    attempts = []
    for n in range(7):
        base = (
            servers.bases[n % 2]
            if not servers.down
            else next(b for b in servers.bases if b not in servers.down)
        )
        async with httpx.AsyncClient(
            base_url=base, headers={"Host": load.HOST}, timeout=60
        ) as client:
            common = {"X-Forwarded-For": "10.250.0.9", "X-Forwarded-Proto": "https"}
            page = await client.get("/konto/login/", headers=common)
            token = load.CSRF.search(page.text).group(1)
            jar = SimpleCookie()
            for header in page.headers.get_list("set-cookie"):
                jar.load(header)
            cookie = "; ".join(f"{k}={m.value}" for k, m in jar.items())
            answer = await client.post(
                "/konto/login/",
                data={"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD + "x"},
                headers={
                    **common,
                    "Cookie": cookie,
                    "Origin": load.ORIGIN,
                    "Referer": load.ORIGIN + "/konto/login/",
                },
            )
        limited = answer.status_code == 429 or "igjen senere" in answer.text.lower()
        attempts.append({"server": base, "status": answer.status_code, "limited": limited})
        await asyncio.sleep(0.5)
    return {
        "attempts": attempts,
        "first_limited": next((i + 1 for i, a in enumerate(attempts) if a["limited"]), None),
        "servers_used": len({a["server"] for a in attempts}),
    }


def main() -> None:
    LOGS.mkdir(parents=True, exist_ok=True)
    print("Seeding the load organization …", flush=True)
    plan = load.prepare()
    organization_id = plan["organization_id"]
    probe_email = plan["probe_email"]
    twilio_url, twilio = start_twilio()
    smtp_port, smtp = start_smtp()
    web_url = load.web_database_url()
    worker_env = {
        **os.environ,
        "DATABASE_URL": web_url,
        "DJANGO_SETTINGS_MODULE": "bench.cluster_settings",
        "BENCH_TWILIO_URL": twilio_url,
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": "cluster-standin-token",  # noqa: S105 - the stand-in's, no secret
        "TWILIO_FROM": "+4700000000",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    since = timezone.now()
    try:
        for n, base in enumerate(BASES):
            processes[f"web-{n + 1}"] = load.start_gunicorn(
                port=int(base.rsplit(":", 1)[1]), workers=WEB_WORKERS
            )
        for n in range(2):
            processes[f"worker-{n + 1}"] = start_worker(f"worker-{n + 1}", worker_env)
        print(
            f"2 × gunicorn ({WEB_WORKERS} workers) on {', '.join(BASES)}; 2 Celery workers; "
            f"Twilio stand-in {twilio_url}, SMTP stand-in :{smtp_port}; "
            f"logins over {load.RAMP_SECONDS:.0f} s, then {load.SECONDS:.0f} s of work",
            flush=True,
        )
        doomed = processes["web-2"]

        async def kill_halfway(servers: Servers, begin: float) -> dict[str, Any]:
            await asyncio.sleep(max(0.0, begin + load.SECONDS / 2 - time.perf_counter()))
            found = {"in_flight": servers.in_flight[BASES[1]], "at": time.perf_counter()}
            os.killpg(doomed.pid, signal.SIGKILL)
            # Dying takes a moment: until the last process holding its socket has exited,
            # the kernel still accepts connections on it, and the requests sent then are
            # lost with it. They were on the killed server too, sent while it died.
            await asyncio.to_thread(_wait_gone, doomed, int(BASES[1].rsplit(":", 1)[1]))
            found["gone"] = time.perf_counter()
            print(f"  killed web-2 (process group {doomed.pid}) mid-run", flush=True)
            return found

        async def jobs_and_probe(servers: Servers, begin: float) -> dict[str, Any]:
            await asyncio.sleep(max(0.0, begin - time.perf_counter()) + 5)
            queued = await asyncio.to_thread(publish_jobs, organization_id)
            probe = await probe_rate_limit(servers, probe_email)
            return {"jobs_queued": queued, "rate_limit": probe}

        async def during(servers: Servers, begin: float, until: float) -> dict[str, Any]:
            """Beside the work: the jobs and the rate-limit probe; the kill, on time."""
            killed, found = await asyncio.gather(
                kill_halfway(servers, begin), jobs_and_probe(servers, begin)
            )
            return {
                **found,
                "killed_in_flight": killed["in_flight"],
                "killed_at": killed["at"],
                "killed_gone": killed["gone"],
            }

        web_pids = [processes["web-1"].pid, processes["web-2"].pid]
        run = asyncio.run(load.drive(plan["people"], web_pids, BASES, during))
        print("Work done; waiting for the jobs to finish …", flush=True)
        wait_until_done(organization_id, since, twilio, smtp)
        sms_ids = list(
            SmsMessage.objects.filter(
                organization_id=organization_id, created_at__gte=since
            ).values_list("pk", flat=True)
        )
        for pk in sms_ids:  # every send task delivered once more
            send_sms.delay(pk)
        wait_until_done(organization_id, since, twilio, smtp)
    finally:
        for process in processes.values():
            if process.poll() is None:
                stop(process)
    result = report(plan, run, organization_id, since, twilio.snapshot(), smtp.snapshot())
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(
        json.dumps(
            {k: v for k, v in result.items() if k != "by_page"}, indent=2, ensure_ascii=False
        )
    )
    print(f"\nJSON: {OUT}")


def _wait_gone(process: subprocess.Popen[bytes], port: int) -> None:
    """Until the killed server's listening socket is gone: the kernel closes it when the
    last process holding it has exited (zombies awaiting their reaping hold nothing)."""
    process.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _listening(port):
        time.sleep(0.002)


def _listening(port: int) -> bool:
    """Whether a socket listens on `port` on this machine (/proc/net/tcp, state 0A)."""
    wanted = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as rows:
            for row in rows.readlines()[1:]:
                fields = row.split()
                if fields[1].endswith(wanted) and fields[3] == "0A":
                    return True
    return False


def report(
    plan: dict[str, Any],
    run: load.Run,
    organization_id: int,
    since: Any,
    sms_seen: Counter[str],
    mail_seen: Counter[str],
) -> dict[str, Any]:
    servers = run.servers
    found = run.during or {}
    killed_at = found.get("killed_at", 0.0)
    gone = found.get("killed_gone", killed_at)
    # A request that failed after it was sent: cut off by the kill (it was on the killed
    # server while it died: under way at the signal, or sent before its last process had
    # exited), or timed out (30 s: an overloaded machine).
    lost = [
        {
            "page": name,
            "server": base,
            "error": error,
            "in_flight_at_kill": s <= killed_at <= e,
            "sent_while_it_died": killed_at < s <= gone,
        }
        for name, base, s, e, error in servers.lost
        if "Timeout" not in error
    ]
    timed_out = [name for name, _base, _s, _e, error in servers.lost if "Timeout" in error]
    sms = SmsMessage.objects.filter(organization_id=organization_id, created_at__gte=since)
    went = sms.filter(status__in=[SmsStatus.SENT, SmsStatus.DELIVERED])
    sms_sent = {str(pk) for pk in went.values_list("pk", flat=True)}
    claims = JobClaim.objects.filter(
        organization_id=organization_id, created_at__gte=since, status=ClaimStatus.SENT
    )
    # A notice that went by SMS is counted with the SMS; the rest were e-mails.
    mail_claims = claims.count() - sms.filter(idempotency_key__in=claims.values("key")).count()
    by_page: dict[str, list[load.Sample]] = defaultdict(list)
    for sample in run.work.samples:
        by_page[sample[0]].append(sample)
    persons = [p for p in run.persons if p is not None]
    return {
        "date": timezone.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "users": len(plan["people"]),
        "web_servers": {base: {"gunicorn_workers": WEB_WORKERS} for base in BASES},
        "celery_workers": 2,
        "seconds": run.work_seconds,
        # (No CPU figures: a killed server's CPU cannot be read after the kill.)
        "load_average_after": os.getloadavg(),
        "work": summary(run.work.samples, run.work_seconds),
        "by_page": {name: summary(rows, run.work_seconds) for name, rows in by_page.items()},
        "logins": summary(run.logins.samples, run.login_seconds),
        "requests_by_server": dict(servers.served),
        "sessions": {
            "people_logged_in": len(persons),
            "people_served_by_both": sum(len(p.used) == 2 for p in persons),
            "errors": len(run.work.errors) + len(run.logins.errors),
        },
        "rate_limit": found.get("rate_limit"),
        "kill": {
            "server": BASES[1],
            "at_second_of_work": round(killed_at - run.begin, 1) if killed_at else None,
            "in_flight_on_it": found.get("killed_in_flight"),
            "dying_ms": round((gone - killed_at) * 1000, 1) if killed_at else None,
            "sent_again_to_the_other_after_refused_connection": servers.retried,
            "lost": len(lost),
            "lost_not_in_flight_on_it": sum(
                not (
                    (x["in_flight_at_kill"] or x["sent_while_it_died"]) and x["server"] == BASES[1]
                )
                for x in lost
            ),
            "lost_requests": lost,
            "timed_out_anywhere": dict(Counter(timed_out)),
        },
        "jobs": {
            "queued_twice_each": list(JOBS),
            "runs": JobRun.objects.filter(
                organization_id=organization_id, started_at__gte=since
            ).count(),
            "sms": {
                "sent_in_database": len(sms_sent),
                "received_by_twilio_standin": sum(sms_seen.values()),
                "distinct": len(sms_seen),
                "received_twice_or_more": sum(c > 1 for c in sms_seen.values()),
                "sent_but_not_received": len(sms_sent - set(sms_seen)),
                "received_but_not_sent": len(set(sms_seen) - sms_sent),
            },
            "email": {
                "sent_in_database": mail_claims,
                "received_by_smtp_standin": sum(mail_seen.values()),
                "distinct": len(mail_seen),
                "received_twice_or_more": sum(c > 1 for c in mail_seen.values()),
            },
        },
        "first_errors": (run.logins.errors + run.work.errors)[:20],
    }


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
    connection.close()
