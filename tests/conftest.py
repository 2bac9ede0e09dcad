"""Personas, clients and the browser for the whole suite.

`world` builds two organizations with the same cast (STYLE.md, "Tests"):
an admin, a lead, a leader of department A, a leader of department B, a
senior of A, a second senior of A, a senior of B — and `world.other` is the
same cast in another organization. Later issues add recipients, so "a senior
assigned to a recipient" and "a senior who is not" are `senior_a` and
`senior_a2` once there is a recipient to assign.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from seniorene.accounts.middleware import SESSION_KEY
from seniorene.accounts.models import Department, Membership, Organization, Role
from tests.factories import DepartmentFactory, MembershipFactory, OrganizationFactory

# Sync Playwright drives the browser from the test thread while the ORM is used
# there too (tests only; see ../shared/STACK.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Under pytest-xdist (`make test`) the longest tests start first, so that none of them is
# left to run alone at the end. pytest-django then sorts the tests into Django's order (the
# rest, then the transactional ones, then those without a database), keeping this order
# within each kind.
SLOW_FIRST = (
    "tests/test_escaping.py",
    "tests/e2e/",
    "tests/jobs/test_worker.py",
    "tests/sms/test_worker.py",
    "tests/isolation/",
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next(
            (n for n, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)),
            len(SLOW_FIRST),
        )

    items.sort(key=rank)


# --- Test databases: one migration per run, a clone per worker (tests/template_db.py) ---


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
    tmp_path_factory,
):
    """pytest-django's fixture, except that xdist workers on PostgreSQL clone a template."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    from tests import template_db

    verbosity = request.config.option.verbose
    aliases, serialized = _get_databases_for_setup(request.session.items)
    keepdb = django_db_keepdb and not django_db_createdb
    cloned = (
        hasattr(request.config, "workerinput")
        and connection.vendor == "postgresql"
        and django_db_use_migrations
        and not keepdb
        and aliases == {"default"}
    )
    with django_db_blocker.unblock():
        if cloned:
            # The folder that every worker of this run shares (the controller's basetemp).
            shared = tmp_path_factory.getbasetemp().parent
            original = template_db.create_worker_database(
                shared, verbosity=verbosity, serialize="default" in serialized
            )
        else:
            config = setup_databases(
                verbosity=verbosity,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized,
                keepdb=keepdb,
            )
    yield
    if keepdb:
        return
    with django_db_blocker.unblock():
        if cloned:
            template_db.restore_database_name(original)  # the next run replaces it
        else:
            teardown_databases(config, verbosity=verbosity)


PERSONAS = ("admin", "lead", "leader_a", "leader_b", "senior_a", "senior_a2", "senior_b")


@dataclass
class Cast:
    organization: Organization
    dept_a: Department
    dept_b: Department
    admin: Membership
    lead: Membership
    leader_a: Membership
    leader_b: Membership
    senior_a: Membership
    senior_a2: Membership
    senior_b: Membership

    def persona(self, name: str) -> Membership:
        return getattr(self, name)


def make_cast(name: str) -> Cast:
    org = OrganizationFactory(name=name)
    dept_a = DepartmentFactory(organization=org, name=f"{name} A")
    dept_b = DepartmentFactory(organization=org, name=f"{name} B")

    def member(role: str, departments: list[Department]) -> Membership:
        return MembershipFactory(organization=org, role=role, departments=departments)

    return Cast(
        organization=org,
        dept_a=dept_a,
        dept_b=dept_b,
        admin=member(Role.ADMIN, []),
        lead=member(Role.LEAD, []),
        leader_a=member(Role.LEADER, [dept_a]),
        leader_b=member(Role.LEADER, [dept_b]),
        senior_a=member(Role.SENIOR, [dept_a]),
        senior_a2=member(Role.SENIOR, [dept_a]),
        senior_b=member(Role.SENIOR, [dept_b]),
    )


@dataclass
class World:
    home: Cast
    other: Cast


@pytest.fixture
def world(db) -> World:
    return World(home=make_cast("Hjemme"), other=make_cast("Borte"))


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """One `world` for a whole module, for modules of many tests that only read it.

    It is built inside a transaction that stays open for the module; each test's own
    transaction (the `db` fixture) is a savepoint inside it, rolled back after the test as
    usual, and the module's transaction is rolled back at its end, so nothing is left. A
    module opts in by defining its own `world` fixture that returns `world_per_module`; its
    tests may add rows and change them, but not the cast's objects in memory.
    """
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield World(home=make_cast("Hjemme"), other=make_cast("Borte"))
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world_per_module(module_world, db) -> World:
    """`module_world` for one test, with the cache (its own keys: rate limits, sessions)
    emptied, as a new world's fresh ids would leave nothing behind from an earlier test."""
    from django.core.cache import cache

    cache.clear()
    return module_world


@pytest.fixture
def world_tx(transactional_db) -> Cast:
    """One organization's cast for browser tests (which need committed data)."""
    return make_cast("Hjemme")


def get_home(client: Client):
    """GET the home page as the member sees it: a senior's home is their agenda (the
    redirect is followed once, to that page only), anyone else's the tiles page."""
    response = client.get("/hjem/")
    if response.status_code == 302 and response.url == "/mine-besok/":
        response = client.get(response.url)
    return response


def login(client: Client, membership: Membership) -> Client:
    """Log `client` in as `membership`'s user with that organization active.

    The session records the password and, when the user has an authenticator, the
    second factor, as allauth does on a real login (the `require` decorator checks it).
    """
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.http import HttpRequest

    user = membership.user
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = membership.organization_id
    request = HttpRequest()
    request.session = session
    record_authentication(request, user, "password", email=user.email)
    authenticator = (
        Authenticator.objects.filter(user=user)
        .exclude(type=Authenticator.Type.RECOVERY_CODES)
        .first()
    )
    if authenticator is not None:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    session.save()
    return client


@pytest.fixture
def client_for(db):
    """Return a function: membership → a logged-in test client of its own."""

    def make(membership: Membership) -> Client:
        return login(Client(), membership)

    return make


# --- Browser ----------------------------------------------------------------

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


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
    if "FAKETIME" in os.environ:
        # `make test-clock`: Chromium shares the suite's moved clock, but crashes unless
        # libfaketime moves its monotonic clock too (Python needs that one left alone).
        args["env"] = {**os.environ, "FAKETIME_DONT_FAKE_MONOTONIC": "0"}
    return args


class _InFlight:
    """The live server's application, counting the requests it is still answering."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            self.count += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self.changed:
                self.count -= 1
                self.changed.notify_all()

    def wait_until_idle(self, quiet: float = 0.2, timeout: float = 15.0) -> None:
        """Return once no request has been running for `quiet` seconds (or at `timeout`)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while time.monotonic() < deadline:
                if self.count == 0 and not self.changed.wait(quiet):
                    return
                if self.count:
                    self.changed.wait(0.05)


@pytest.fixture(autouse=True)
def _live_server_settles(request):
    """Before a browser test's database is emptied, close its pages and let the live
    server finish what it is answering: a request still reading (a service worker's
    precache, say) deadlocks with the TRUNCATE that empties the database."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    httpd = request.getfixturevalue("live_server").thread.httpd
    if not isinstance(httpd.get_app(), _InFlight):
        httpd.set_app(_InFlight(httpd.get_app()))
    yield
    if "browser" in request.fixturenames:
        for context in list(request.getfixturevalue("browser").contexts):
            context.close()
    httpd.get_app().wait_until_idle()


@pytest.fixture
def phone(browser, live_server):
    """A page in a 390×844 touch viewport (an ordinary phone) on the live server."""
    yield from phone_page(browser, live_server.url)


@pytest.fixture
def phone_without_service_worker(browser, live_server):
    """The phone with the app's service worker blocked, for tests that hold or drop a
    request with Playwright's routing: once the worker controls the page, routing no longer
    sees the page's requests (a save meant to be dropped reached the server; CI failed on
    that). The worker's own behaviour is tested in tests/visits/test_offline_on_phone.py."""
    yield from phone_page(browser, live_server.url, service_workers="block")


def phone_page(browser, base_url: str, **options: Any) -> Iterator[Any]:
    """A page in a browser context as an ordinary phone (390×844, touch, Norwegian, Oslo
    time), closed afterwards; `options` go to Playwright's `new_context`."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="nb-NO",
        timezone_id="Europe/Oslo",
        base_url=base_url,
        **options,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# --- Real Celery processes (tests/workers.py) -------------------------------------------


@pytest.fixture
def worker_role(transactional_db):
    """A database login bound by row-level security, for real worker processes."""
    from tests.workers import create_worker_role

    return create_worker_role()
