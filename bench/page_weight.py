"""`make bench`, light pages: what the senior's agenda costs a phone on the network.

A real browser (Debian's Chromium through Playwright, a 390×844 touch phone) opens the
agenda through a real HTTP server (the production WSGI app with WhiteNoise), once with an
empty cache and once again. Chromium's own count of the bytes on the wire (CDP
`Network.loadingFinished` → `encodedDataLength`: compressed, headers included) is summed
over every response: HTML, CSS, scripts, fonts, icons. The target: at most 100 KB on the
first load and nearly nothing on the next (hashed static files are cached for a year).

Run alone (after migrate and collectstatic, DEBUG off): `python bench/page_weight.py`.
"""

from __future__ import annotations

import json
import os
import socketserver
import sys
import threading
import uuid
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seniorene.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from bench.seed import seed_organization  # noqa: E402
from seniorene.accounts.models import Membership  # noqa: E402

FIRST_LOAD_LIMIT = 100 * 1024  # bytes, compressed, everything included
REPEAT_LOAD_LIMIT = 15 * 1024  # "nearly nothing": the HTML again, no static file
SETTLE_MS = 3000  # after a load: the service worker installs, precaches and prefetches
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUT = Path(os.environ.get("BENCH_WEIGHT_OUT", str(ROOT / "var" / "bench" / "page_weight.json")))


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Counted:
    """The WSGI app, counting the body bytes of every response it sends (compressed as
    sent): what the phone fetched, its service worker's fetches included, which the
    page's own network events do not show."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.sent: list[tuple[str, int]] = []
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        body = b"".join(self.app(environ, start_response))
        with self.lock:
            self.sent.append((environ.get("PATH_INFO", ""), len(body)))
        return [body]

    def take(self) -> list[tuple[str, int]]:
        with self.lock:
            sent, self.sent = self.sent, []
        return sent


def _serve() -> tuple[WSGIServer, str, _Counted]:
    app = _Counted(get_wsgi_application())
    server = make_server(
        "127.0.0.1",
        0,
        app,
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}", app


def _session_cookie(membership: Membership) -> str:
    from django.test import Client

    from seniorene.accounts.middleware import SESSION_KEY

    client = Client()
    client.force_login(membership.user)
    session = client.session
    session[SESSION_KEY] = membership.organization_id
    session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _load(page: Any, cdp: Any, url: str) -> dict[str, Any]:
    """Open `url`; the bytes on the wire per response, as Chromium counts them."""
    urls: dict[str, str] = {}
    encodings: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cached: set[str] = set()

    def response(event: dict[str, Any]) -> None:
        urls[event["requestId"]] = event["response"]["url"]
        headers = {k.lower(): v for k, v in event["response"].get("headers", {}).items()}
        encodings[event["requestId"]] = headers.get("content-encoding", "")
        if event["response"].get("fromDiskCache") or event["response"].get("fromPrefetchCache"):
            cached.add(event["requestId"])

    def finished(event: dict[str, Any]) -> None:
        sizes[event["requestId"]] = int(event["encodedDataLength"])

    def memory(event: dict[str, Any]) -> None:
        cached.add(event["requestId"])

    def sent(event: dict[str, Any]) -> None:
        urls.setdefault(event["requestId"], event["request"]["url"])

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.responseReceived", response)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.requestServedFromCache", memory)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(500)  # late requests (icons) finish
    cdp.remove_listener("Network.requestWillBeSent", sent)
    cdp.remove_listener("Network.responseReceived", response)
    cdp.remove_listener("Network.loadingFinished", finished)
    cdp.remove_listener("Network.requestServedFromCache", memory)
    rows = [
        {
            "url": urls.get(rid, "?").split("?")[0],
            "bytes": sizes.get(rid, 0),
            "cache": rid in cached,
            "encoding": encodings.get(rid, ""),
        }
        for rid in sorted(set(urls) | set(sizes))
    ]
    return {"bytes": sum(r["bytes"] for r in rows), "responses": rows}


def measure_agenda_weight(senior: Membership) -> dict[str, Any]:
    """The agenda's first load (empty cache) and second load, in bytes on the wire."""
    from playwright.sync_api import sync_playwright

    cookie = _session_cookie(senior)
    server, base, app = _serve()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(
                viewport={"width": 390, "height": 844},
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                locale="nb-NO",
                timezone_id="Europe/Oslo",
            )
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}]
            )
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            first = _load(page, cdp, f"{base}/mine-besok/")
            if "/mine-besok/" not in page.url:
                raise RuntimeError(f"the agenda did not open (at {page.url})")
            page.wait_for_timeout(SETTLE_MS)  # the service worker installs and prefetches
            first_served = app.take()
            again = _load(page, cdp, f"{base}/mine-besok/")
            page.wait_for_timeout(SETTLE_MS)
            again_served = app.take()
            browser.close()
    finally:
        server.shutdown()
    first_bytes = sum(size for _path, size in first_served)
    again_bytes = sum(size for _path, size in again_served)
    return {
        # What the server sent (bodies, compressed): the figure the targets apply to.
        "first_load_bytes": first_bytes,
        "second_load_bytes": again_bytes,
        "first_load_served": [{"url": p, "bytes": b} for p, b in first_served],
        "second_load_served": [{"url": p, "bytes": b} for p, b in again_served],
        # What the page itself saw (Chromium's count, headers included; a response its
        # service worker gave shows 0 here, and the worker's own fetches not at all).
        "first_load": first["responses"],
        "second_load": again["responses"],
        "targets": {
            "first_load_within_100_kb": first_bytes <= FIRST_LOAD_LIMIT,
            "second_load_nearly_nothing": again_bytes <= REPEAT_LOAD_LIMIT,
        },
    }


def print_weight(result: dict[str, Any]) -> None:
    print("\nThe senior's agenda on a phone (bytes the server sent, compressed):")
    for label, key in (("first load, empty cache", "first_load"), ("second load", "second_load")):
        print(f"  {label}: {result[key + '_bytes']} bytes")
        for row in result[key + "_served"]:
            print(f"    {row['bytes']:>8} {row['url']}")
        print("    as the page saw it (Chromium: 'cache' from its cache, 0 from the worker):")
        for row in result[key]:
            where = "cache" if row["cache"] else "network"
            print(f"    {row['bytes']:>8} {where:7} {row['encoding'] or '-':5} {row['url']}")
    t = result["targets"]
    print(
        f"targets: first load ≤ 100 KB: {'yes' if t['first_load_within_100_kb'] else 'NO'}; "
        f"second load nearly nothing (≤ 15 KB): "
        f"{'yes' if t['second_load_nearly_nothing'] else 'NO'}"
    )


def main() -> None:
    if settings.DEBUG:
        raise SystemExit("Run with DEBUG off (production settings), as `make bench` does.")
    tag = uuid.uuid4()
    seeded = seed_organization(f"weight-{tag.hex[:6]}", scale=0.05, seed=tag.int % 100_000)
    result = measure_agenda_weight(seeded.seniors[0])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print_weight(result)
    print(f"\nJSON: {OUT}")
    if not all(result["targets"].values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
