"""`make bench`: seed a large organization and measure the pages that matter.

Run by the Makefile against its own PostgreSQL database (`seniorene_bench`),
with production settings (DEBUG off). Prints a table and writes
`var/bench/bench.json`. Every page is requested in-process through the whole
middleware stack (sessions, tenancy and row-level-security setup, CSRF) with
Django's test client: "server time" is the time Django takes to answer,
without a network or a web server in front (`make load` measures those).

The floor is the cheapest page a logged-in person can get: the base template
with nothing in it, behind the same decorator as every page (bench/urls.py).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seniorene.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.seed import Seeded, analyze, seed_organization  # noqa: E402
from seniorene.accounts.middleware import SESSION_KEY  # noqa: E402
from seniorene.accounts.models import Membership  # noqa: E402
from visits.models import Visit  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
SCALE = float(os.environ.get("BENCH_SCALE", "1"))  # below 1 only to try the script quickly
WARMUP = 3
# Issue 23's targets: leader pages within 5 × the floor, phone pages within 3 ×, reminders
# into the outbox at 500 a second or more, the interview PDF within 2 × the smallest page.
LEADER_TARGET = 5.0
PHONE_TARGET = 3.0
QUEUE_TARGET = 500.0
PDF_TARGET = 2.0
OUT = Path(os.environ.get("BENCH_OUT", str(ROOT / "var" / "bench" / "bench.json")))


def client_for(membership: Membership) -> Client:
    """A client logged in as `membership`, its session holding the password and, for staff
    (who must use it, `MFA_REQUIRED_ROLES`), the second factor, as a real login records them."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.http import HttpRequest

    user = membership.user
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = membership.organization_id
    request = HttpRequest()
    request.session = session
    record_authentication(request, user, "password", email=user.email)
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is not None:
        record_authentication(request, user, "mfa", id=totp.pk, type=totp.type)
    session.save()
    return client


def timed_get(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url, secure=True)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def query_count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, secure=True)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return len(queries)


def page_ms(client: Client, url: str) -> float:
    """Median server time of `url` in milliseconds, after warming up."""
    for _ in range(WARMUP):
        timed_get(client, url)
    return statistics.median(timed_get(client, url) for _ in range(REPEAT)) * 1000


def open_visits(seeded: Seeded, senior: Membership, n: int) -> list[Visit]:
    """`n` visits of `senior`, one a day over the past days, not yet logged."""
    now = timezone.now().replace(second=0, microsecond=0)
    # seniors[0] belongs to the first department, as does recipients[0].
    recipient = seeded.recipients[0]
    return Visit.objects.bulk_create(
        Visit(
            organization=seeded.organization,
            recipient=recipient,
            senior=senior,
            starts_at=now - timedelta(days=i + 1),
            original_starts_at=now - timedelta(days=i + 1),
            duration_minutes=60,
        )
        for i in range(n)
    )


def log_visit(client: Client, visit: Visit, *, count_queries: bool = False) -> tuple[float, int]:
    """POST the visit log form for `visit`; return (seconds, queries)."""
    url = reverse("visits:visit_log", args=[visit.pk])
    start = timezone.localtime(visit.starts_at)
    data = {
        "happened": "1",
        "submission_key": str(uuid.uuid4()),
        "checked_in": start.strftime("%H:%M"),
        "checked_out": (start + timedelta(minutes=60)).strftime("%H:%M"),
        "went_well": "Vi gikk en tur til butikken.",
        "could_change": "",
    }
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.post(url, data, secure=True)
        elapsed = time.perf_counter() - started
    if response.status_code != 302:
        raise SystemExit(f"logging visit {visit.pk} answered {response.status_code}")
    return elapsed, len(queries) if count_queries else 0


class Pages:
    """The measured pages of one seeded organization, as the people who use them."""

    def __init__(self, seeded: Seeded) -> None:
        self.seeded = seeded
        self.leader = seeded.leaders[0]
        self.senior = seeded.seniors[0]
        own = [r for r in seeded.recipients if r.department_id == seeded.departments[0].pk]
        self.recipient = own[0]
        self.leader_client = client_for(self.leader)
        self.senior_client = client_for(self.senior)
        self.visits = open_visits(seeded, self.senior, WARMUP + REPEAT + 2)
        self.read_visit = self.visits.pop()

    def urls(self) -> list[tuple[str, str, Client, str]]:
        """(key, label, client, url) for every GET page; `device` is in PAGE_DEVICE."""
        return [
            ("floor", "floor: empty page, logged in", self.senior_client, "/bench/floor/"),
            ("week", "leader: the department's week", self.leader_client, "/besok/uke/"),
            ("recipients", "leader: recipient list", self.leader_client, "/brukere/"),
            (
                "card",
                "leader: recipient card",
                self.leader_client,
                reverse("customers:card", args=[self.recipient.pk]),
            ),
            ("agenda", "senior: agenda (phone)", self.senior_client, "/mine-besok/"),
            (
                "log_form",
                "senior: visit log form (phone)",
                self.senior_client,
                reverse("visits:visit_log", args=[self.read_visit.pk]),
            ),
        ]

    def query_counts(self) -> dict[str, int]:
        counts = {key: query_count(c, url) for key, _l, c, url in self.urls()}
        counts["log_post"] = log_visit(self.senior_client, self.visits.pop(), count_queries=True)[1]
        return counts


PHONE_PAGES = {"agenda", "log_form", "log_post"}


def measure_pages(pages: Pages) -> dict[str, dict[str, Any]]:
    """Median server time per page; pages take turns, so drift hits them all alike."""
    urls = pages.urls()
    for _ in range(WARMUP):
        for _key, _label, client, url in urls:
            timed_get(client, url)
    samples: dict[str, list[float]] = {key: [] for key, *_ in urls}
    samples["log_post"] = []
    for _ in range(WARMUP):
        log_visit(pages.senior_client, pages.visits.pop())
    for _ in range(REPEAT):
        for key, _label, client, url in urls:
            samples[key].append(timed_get(client, url))
        samples["log_post"].append(log_visit(pages.senior_client, pages.visits.pop())[0])
    labels = {key: label for key, label, *_ in urls}
    labels["log_post"] = "senior: log a visit, POST (phone)"
    rows = {
        key: {"label": labels[key], "ms": statistics.median(times) * 1000}
        for key, times in samples.items()
    }
    floor = rows["floor"]["ms"]
    for key, row in rows.items():
        row["ratio"] = row["ms"] / floor
        row["phone"] = key in PHONE_PAGES
    return rows


def measure_plan_expansion(seeded: Seeded) -> dict[str, Any]:
    from visits.planning import plans_expand

    started = time.perf_counter()
    first = plans_expand(organization_id=seeded.organization.pk)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    again = plans_expand(organization_id=seeded.organization.pk)
    again_s = time.perf_counter() - started
    return {
        "plans": seeded.counts["plans"],
        "visits_created": first.created,
        "first_run_s": first_s,
        "second_run_s": again_s,
        "second_run_changes": vars(again),
    }


def measure_reminders(count: int) -> dict[str, Any]:
    """The reminder job itself (issue 9) for `count` visits tomorrow, through the outbox:
    queue with the consent check, send (consent checked again, claimed, stored as sent).
    `manage.py bench_reminders` builds and removes its own organization."""
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("bench_reminders", count=count, stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    return {
        "queued": figures["queued"],
        "sent": figures["sent"],
        "seconds": figures["seconds"],
        "per_second": figures["messages_per_second"],
        # Into the outbox (consent checked, rows and audit written), the sends excluded.
        "queued_per_second": figures["queued_per_second"],
        "statements_per_message": figures["statements_per_message"],
    }


def measure_pdf(seeded: Seeded) -> dict[str, Any]:
    """The filled interview form as PDF, against the smallest page WeasyPrint makes."""
    from omsorg.models import IntakeInterview, InterviewStatus
    from omsorg.pdf import interview_pdf_context
    from seniorene.pdf import render_pdf
    from seniorene.pdf.weasy import html_to_pdf

    recipient = seeded.recipients[0]
    interview = IntakeInterview.objects.create(
        organization=seeded.organization,
        recipient=recipient,
        senior=seeded.seniors[0],
        starts_at=timezone.now() - timedelta(days=1),
        completed_at=timezone.now(),
        status=InterviewStatus.COMPLETED,
        prepared_by="senior",
        booked_by=seeded.leaders[0].user,
        q5_likes="Blomster, båtliv og gamle filmer. " * 5,
        q9_frequency="Hver torsdag",
    )

    def best(fn) -> float:
        fn()
        return min(_timed(fn) for _ in range(5)) * 1000

    minimal = best(lambda: html_to_pdf("<!doctype html><p>Hei</p>"))
    form = best(lambda: render_pdf("pdf/interview.html", interview_pdf_context(interview)))
    return {"minimal_ms": minimal, "interview_ms": form, "ratio": form / minimal}


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def machine() -> str:
    cpus = os.cpu_count()
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()} · {cpus} cores {model} · Python {platform.python_version()}"


def main() -> None:
    started = time.perf_counter()
    print("Seeding the 10× organization (the issue's size) …", flush=True)
    big = seed_organization(f"bench-{uuid.uuid4().hex[:6]}", scale=SCALE)
    print(f"  {big.counts} in {time.perf_counter() - started:.0f} s", flush=True)
    print("Seeding the 1× organization (a tenth of it) …", flush=True)
    small = seed_organization(f"bench-{uuid.uuid4().hex[:6]}", scale=SCALE / 10, seed=1)
    print(f"  {small.counts}", flush=True)
    print("Expanding every plan over the horizon …", flush=True)
    expansion = measure_plan_expansion(big)
    measure_plan_expansion(small)
    analyze()

    with override_settings(ROOT_URLCONF="bench.urls"):
        big_pages, small_pages = Pages(big), Pages(small)
        counts_1x = small_pages.query_counts()
        counts_10x = big_pages.query_counts()
        rows = measure_pages(big_pages)
    for key, row in rows.items():
        row["queries_1x"] = counts_1x[key]
        row["queries_10x"] = counts_10x[key]
    reminders = measure_reminders(int(os.environ.get("BENCH_REMINDERS", "10000")))
    pdf = measure_pdf(big)

    result = {
        "date": timezone.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "debug": settings.DEBUG,
        "repeat": REPEAT,
        "data_10x": big.counts,
        "data_1x": small.counts,
        "pages": rows,
        "plan_expansion": expansion,
        "reminders": reminders,
        "pdf": pdf,
        "targets": {
            "leader_pages_within_5x_floor": all(
                r["ratio"] <= LEADER_TARGET for r in rows.values() if not r["phone"]
            ),
            "phone_pages_within_3x_floor": all(
                r["ratio"] <= PHONE_TARGET for r in rows.values() if r["phone"]
            ),
            "reminders_queued_500_per_second": (reminders["queued_per_second"] or 0)
            >= QUEUE_TARGET,
            "pdf_within_2x_minimal": pdf["ratio"] <= PDF_TARGET,
            "query_counts_constant": all(
                r["queries_1x"] == r["queries_10x"] for r in rows.values()
            ),
        },
        "total_s": time.perf_counter() - started,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print_table(result)
    print(f"\nJSON: {OUT}")


def print_table(result: dict[str, Any]) -> None:
    print(f"\n{result['date']} · {result['machine']}")
    print(f"10× data: {result['data_10x']}")
    print(f"\n{'page':40} {'ms':>8} {'× floor':>8} {'q 1×':>6} {'q 10×':>6}")
    for row in result["pages"].values():
        print(
            f"{row['label']:40} {row['ms']:8.1f} {row['ratio']:8.2f} "
            f"{row['queries_1x']:6d} {row['queries_10x']:6d}"
        )
    e = result["plan_expansion"]
    print(
        f"\nplan expansion, {e['plans']} plans, {e['visits_created']} visits made: "
        f"first run {e['first_run_s']:.1f} s, "
        f"again {e['second_run_s']:.1f} s (changes: {e['second_run_changes']})"
    )
    r = result["reminders"]
    print(
        f"reminders through the outbox: {r['sent']}/{r['queued']} sent in "
        f"{r['seconds']:.1f} s = {r['per_second']:.0f}/s; into the outbox "
        f"{r['queued_per_second']:.0f}/s; {r['statements_per_message']} SQL statements a message"
    )
    p = result["pdf"]
    print(
        f"interview PDF {p['interview_ms']:.0f} ms vs minimal WeasyPrint page "
        f"{p['minimal_ms']:.0f} ms ({p['ratio']:.1f}×)"
    )
    t = {key: "yes" if met else "NO" for key, met in result["targets"].items()}
    print(
        f"targets: leader pages ≤ {LEADER_TARGET:g}× floor: {t['leader_pages_within_5x_floor']}; "
        f"phone pages ≤ {PHONE_TARGET:g}×: {t['phone_pages_within_3x_floor']}; "
        f"reminders into the outbox ≥ {QUEUE_TARGET:g}/s: {t['reminders_queued_500_per_second']}; "
        f"PDF ≤ {PDF_TARGET:g}×: {t['pdf_within_2x_minimal']}; "
        f"query counts equal at 1× and 10×: {t['query_counts_constant']}"
    )


if __name__ == "__main__":
    main()
