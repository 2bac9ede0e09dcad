"""The load driver's list of servers (bench/load.py), as `make load-cluster` relies on it:
requests take turns, a refused connection goes to the other server, and a request that
failed after it was sent is reported lost, never sent again."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bench.load import Servers

A, B = "http://127.0.0.1:8001", "http://127.0.0.1:8002"


def drive(handler, n: int) -> tuple[Servers, list[str], list[str]]:
    """Send `n` GETs through a Servers of A and B; return it, the answering servers and
    the errors."""
    answered: list[str] = []
    errors: list[str] = []

    async def go() -> Servers:
        transport = httpx.MockTransport(handler)
        async with httpx.AsyncClient(transport=transport) as client:
            servers = Servers(client, [A, B])
            for _ in range(n):
                try:
                    _response, base = await servers.request("page", "GET", "/side/")
                    answered.append(base)
                except httpx.HTTPError as exc:
                    errors.append(type(exc).__name__)
            return servers

    # In a thread of its own: a browser test earlier in the same worker may have left an
    # event loop running in this one (Playwright's sync API), and asyncio.run refuses that.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, go()).result(), answered, errors


def test_requests_take_turns_between_the_servers():
    servers, answered, errors = drive(lambda request: httpx.Response(200), 6)
    assert errors == []
    assert answered.count(A) == answered.count(B) == 3
    assert servers.retried == 0
    assert servers.lost == []


def test_a_refused_connection_goes_to_the_other_server_which_takes_the_rest():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.port == 8002:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200)

    servers, answered, errors = drive(handler, 6)
    assert errors == []
    assert answered == [A] * 6
    assert servers.down == {B}
    assert servers.retried == 1  # only the first request found B gone
    assert servers.lost == []


@pytest.mark.parametrize("error", [httpx.RemoteProtocolError, httpx.ReadError])
def test_a_request_that_failed_after_it_was_sent_is_lost_and_not_sent_again(error):
    sent: list[int | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.port)
        if request.url.port == 8002:
            raise error("server disconnected", request=request)
        return httpx.Response(200)

    servers, answered, errors = drive(handler, 2)
    assert sent == [8002, 8001]  # the failed request was not sent again to A
    assert errors == [error.__name__]
    assert answered == [A]
    assert [(page, base) for page, base, *_rest in servers.lost] == [("page", B)]
    assert servers.retried == 0


def test_the_cluster_run_sees_when_the_killed_server_stops_listening():
    """`make load-cluster` counts a request sent while the killed server died as on it,
    until its listening socket is gone: the check must see a socket listen and close."""
    import socket

    from bench.cluster import _listening

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        assert not _listening(port)  # bound, not yet listening
        sock.listen()
        assert _listening(port)
    assert not _listening(port)
