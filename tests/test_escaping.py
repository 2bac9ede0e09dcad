"""No page shows user input unescaped, and no input answers with a server error.

The tests reach every page of the project as each staff role and a senior
(the URL list comes from the resolver, objects from the isolation registry).
The first fills every text field of every form it finds with a script tag,
submits the form, and then reads every page again — the form's answer, the page
it leads to and every other page — looking for the script tag as markup. The
second submits every field of every form, and every query parameter of every
page, with hostile values (numbers out of any range, NUL bytes, impossible
dates, a `next` that is no URL) and expects a form error, a 400 or a 404,
never a 500, on PostgreSQL and on SQLite alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from customers.models import CareRecipient
from omsorg.models import Criterion, Screening
from seniorene.accounts.models import Role
from seniorene.accounts.policy import has_perm
from tests.conftest import login
from tests.factories import MembershipFactory
from tests.isolation.registry import SAMPLES, home_department
from tests.isolation.urls import our_routes
from tests.training.helpers import clear_for_assignment

pytestmark = pytest.mark.django_db

# Numbered, so that fields with a unique name (a service area) take it more than once.
PAYLOAD = "\"'><script>xss({n})</script>"
MARKUP = "<script>xss("
ROLES = ("admin", "lead", "leader_a", "senior_a")
TEXT_TYPES = {"text", "search", ""}
# Forms that end the session or switch it; they carry no text a page shows.
SKIP_ACTIONS = ("/konto/logout/", "/i18n/setlang/", "/organisasjon/bytt/")


@dataclass
class Form:
    action: str
    method: str
    hx_post: str = ""
    fields: list[dict[str, str]] = field(default_factory=list)
    options: dict[str, list[str]] = field(default_factory=dict)
    selected: dict[str, str] = field(default_factory=dict)
    textareas: list[str] = field(default_factory=list)


class FormParser(HTMLParser):
    """Collect the forms of a page with their inputs, selects and text areas."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            method = a.get("method", "get").lower()
            self.forms.append(Form(a.get("action", ""), method, a.get("hx-post", "")))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            self.forms[-1].fields.append(a)
        elif tag == "textarea" and a.get("name"):
            self.forms[-1].textareas.append(a["name"])
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.forms[-1].options.setdefault(self._select, [])
        elif tag == "option" and self._select:
            if a.get("value", "x"):
                self.forms[-1].options[self._select].append(a.get("value", ""))
            if "selected" in a:
                self.forms[-1].selected[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def is_name(field_name: str) -> bool:
    return field_name == "name" or field_name.endswith("_name")


def fill(form: Form, serial: int, *, plain_names: bool = False) -> tuple[dict[str, Any], int]:
    """POST data for `form`: the payload in every text field, plausible values elsewhere.

    With `plain_names`, names get a plain name: they refuse < and > outright, and
    the rest of the form should still be stored.
    """
    payload = PAYLOAD.format(n=serial)
    soon = timezone.localdate() + timedelta(days=14)
    data: dict[str, Any] = {}
    texts = 0
    for a in form.fields:
        name, kind, value = a["name"], a.get("type", "").lower(), a.get("value", "")
        mode = a.get("inputmode", "")
        if kind in TEXT_TYPES and mode in {"numeric", "decimal"}:
            data[name] = value or "0450"
        elif kind == "tel" or (kind in TEXT_TYPES and mode == "tel"):
            data[name] = "+4791234567"
        elif kind in TEXT_TYPES and int(a.get("maxlength") or 999) < len(payload):
            data[name] = value  # too short to hold a script tag
        elif kind in TEXT_TYPES and plain_names and is_name(name):
            data[name] = "Ola Nordmann"
        elif kind in TEXT_TYPES:
            data[name] = payload
            texts += 1
        elif kind == "hidden":
            data[name] = value
        elif kind in {"checkbox", "radio"}:
            if kind == "checkbox" and "DELETE" not in name:
                data.setdefault(name, [])
                data[name].append(value or "on")
            elif kind == "radio" and (name not in data or "checked" in a):
                data[name] = value
        elif kind == "email":
            data[name] = "xss@test.example"
        elif kind == "number":
            data[name] = value or a.get("min") or "1"
        elif kind == "date":
            data[name] = value or ("1940-05-17" if "birth" in name else soon.isoformat())
        elif kind == "time":
            data[name] = value or "11:00"
        elif kind == "datetime-local":
            data[name] = value or f"{soon.isoformat()}T11:00"
        elif kind == "url":
            data[name] = "https://example.no/"
        elif kind == "password":
            data[name] = "Et-langt-passord-2026"
    for name in form.textareas:
        data[name] = payload
        texts += 1
    for name, values in form.options.items():
        picked = form.selected.get(name) or next((v for v in values if v), "")
        data[name] = picked
    return data, texts


def assert_escaped(response, where: str) -> None:
    if "html" not in response.get("Content-Type", ""):
        return
    assert MARKUP not in response.content.decode(), f"unescaped input on {where}"


def pages_for(cast: Any, who: Any) -> list[str]:
    """Every GET page `who` may open: the routes without ids and one object per id route."""
    urls = []
    for route in our_routes():
        if route.is_public or route.perm is None or not has_perm(who, route.perm):
            continue
        if not route.params:
            urls.append(route.route)
            continue
        sample = SAMPLES.get(route.name)
        if sample is None or sample.method != "GET":
            continue
        kwargs = sample.build(cast, who, home_department(cast, who))
        urls.append(reverse(route.name, kwargs=kwargs))
    return urls


def test_no_page_shows_a_script_posted_into_a_text_field(world):
    cast = world.home
    clear_for_assignment(cast.senior_a)
    pages = {name: pages_for(cast, cast.persona(name)) for name in ROLES}
    posted = stored = filled = 0
    for name in ROLES:
        client = login(Client(), cast.persona(name))
        for url in pages[name]:
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = FormParser()
            parser.feed(response.content.decode())
            for form in parser.forms:
                action = urljoin(url, form.action or url)
                if form.method != "post" or urlsplit(action).path.startswith(SKIP_ACTIONS):
                    continue
                data, texts = fill(form, posted)
                if not texts:
                    continue
                filled += texts
                answer = client.post(action, data, follow=True)
                posted += 1
                assert_escaped(answer, f"{name} POST {action}")
                if not answer.redirect_chain:  # refused: again with plain names
                    data, _texts = fill(form, posted, plain_names=True)
                    answer = client.post(action, data, follow=True)
                    assert_escaped(answer, f"{name} POST {action} (plain names)")
                stored += answer.redirect_chain != []
    # Every page again, as every role, now that the payload is stored.
    for name in ROLES:
        client = login(Client(), cast.persona(name))
        for url in pages[name]:
            assert_escaped(client.get(url), f"{name} GET {url}")
    # The test must have reached real forms and stored real input.
    assert posted >= 20
    assert filled >= 60
    assert stored >= 10
    # Names refuse < and > outright; free text (notes, criteria, meetings) stores it.
    assert not CareRecipient.objects.filter(name__contains="<").exists()
    assert Criterion.objects.filter(text__contains=MARKUP).exists()
    # (The customer form posts its first kind, the recipient: a person keeps no invoice
    # reference since issue 19, so the screening's note stands for the stored free text.)
    assert Screening.objects.filter(note__contains=MARKUP).exists()


# --- Hostile input -----------------------------------------------------------------------

# What a tampered form or URL may carry. Every field and query parameter gets the
# numbers and the texts; fields that take a date the dates, and `next` the non-URLs.
NUMBERS = (
    "99999999999999999999",  # over SQLite's 64-bit integer: OverflowError in a lookup
    "-99999999999999999999",
    "²",  # a digit to str.isdigit(), not to int()
)
TEXTS = ("Å" * 5000, "a\x00b")  # longer than any field; PostgreSQL refuses NUL in text
DATES = (
    "2026-02-30",
    "99999-01-01",
    "9999-12-31",  # the last day Python knows: the week after it overflows
    "0001-01-01",
)
NEXTS = (
    "ikke en adresse",  # not a URL: redirect() took it for a view name
    "//evil.example/",
    "javascript:alert(1)",
)
HOSTILE = NUMBERS + TEXTS + DATES + NEXTS
DATE_TYPES = {"date", "datetime-local", "month"}
DATE_NAMES = re.compile(r"date|dato|uke|week|month|day")
# The query parameters the views read, and a few a user might try.
QUERY_PARAMS = (
    "avdeling", "uke", "senior", "vis", "side", "status", "q", "person", "format",
    "month", "department", "date_from", "date_to", "m", "page", "week", "date", "next",
    "bok_side", "innsyn_side",
)  # fmt: skip
# What views read from a POST beside the form's own fields.
POST_PARAMS = ("note", "action", "happened", "confirm_duplicate", "preview", "active", "next")
# Logging out ends the walk's session; the language and organization switches are walked.
HOSTILE_SKIP = ("/konto/logout/",)


def plain_fill(form: Form) -> dict[str, Any]:
    """POST data for `form` with plausible values everywhere, so that one bad value
    is the only thing wrong with it."""
    data, _texts = fill(form, 0, plain_names=True)
    payload = PAYLOAD.format(n=0)
    return {k: "Vanlig tekst" if v == payload else v for k, v in data.items()}


def hostile_values(form: Form) -> dict[str, tuple[str, ...]]:
    """Each field of `form` (but files) with the hostile values it gets."""
    kinds = {a["name"]: a.get("type", "").lower() for a in form.fields}
    values = {}
    for name in [*kinds, *form.textareas, *form.options]:
        if kinds.get(name) == "file":
            continue
        values[name] = NUMBERS + TEXTS
        if kinds.get(name) in DATE_TYPES or DATE_NAMES.search(name):
            values[name] += DATES
        if "next" in name:
            values[name] += NEXTS
    return values


def is_on_site(location: str) -> bool:
    parts = urlsplit(location)
    return parts.scheme in {"", "http"} and parts.netloc in {"", "testserver"}


class Walk:
    """One role's client; every answer is checked, every server error remembered."""

    def __init__(self, client: Client, who: str) -> None:
        self.client, self.who = client, who
        self.failures: list[str] = []
        self.landed: set[str] = set()
        self.requests = self.served = 0

    def check(self, response, what: str) -> None:
        self.requests += 1
        self.served += response.status_code == 200
        if response.status_code >= 500:
            self.failures.append(f"{self.who} {what} → {response.status_code}")
        elif response.status_code in {301, 302, 303, 307, 308}:
            location = urljoin(response.wsgi_request.path, response["Location"])
            if not is_on_site(location):
                self.failures.append(f"{self.who} {what} → redirects off the site: {location}")
            elif location not in self.landed:  # the page it leads to, once
                self.landed.add(location)
                landing = self.client.get(location)
                if landing.status_code >= 500:
                    self.failures.append(f"{self.who} {what} → {location} → 500")

    def get(self, url: str, query: dict[str, Any]) -> None:
        self.check(self.client.get(url, query), f"GET {url} {query!r:.120}")

    def post(self, url: str, data: dict[str, Any], name: str) -> None:
        what = f"POST {url} {name}={data[name]!r:.40}"
        self.check(self.client.post(url, data), what)


# The fields the holes were in: ids, several ids, dates and `next`; each role's walk must
# reach its share of them, and all of them together.
HOLES = {"next", "department", "departments", "senior", "service_areas", "uke"}
REACHED = {
    "admin": {"next", "department", "departments"},
    "lead": {"next", "department", "senior", "service_areas", "uke"},
    "leader_a": {"next", "department", "departments", "senior", "service_areas", "uke"},
    "senior_a": {"next"},
}
# Requests each role's walk makes at least (2026-12: admin 762, lead 1,954, leader 1,539,
# senior 831).
MIN_REQUESTS = {"admin": 500, "lead": 1000, "leader_a": 1000, "senior_a": 500}
assert set().union(*REACHED.values()) >= HOLES
assert sum(MIN_REQUESTS.values()) >= 2000

# Each role's walk is cut into slices, separate tests, so that pytest-xdist spreads the
# long walks over its workers (issue 23). A walk has two halves: the hostile query strings
# on every page ("queries"), and the hostile values in every field of every kind of form
# ("forms"). The pages, sorted by URL, and the kinds of form, sorted by (view, method,
# field names), are dealt out like cards: slice k of n takes items k, k + n, k + 2n, … —
# a fixed split, the same in every worker, and together the slices take every page and
# every form exactly once. Each slice starts from its own fresh world (the module's,
# rolled back after each test), so no slice depends on what another posted.
#
# Every slice asserts on its own part what the whole walk asserted:
# - no server error and no redirect off the site;
# - served ≥ requests / 3: if it holds for each slice it holds for their sums;
# - requests ≥ SLICE_MIN[(role, half)], per slice; the minimums of a role's slices add up
#   to at least MIN_REQUESTS[role] (checked below), so the slices together still make the
#   walk's old minimum;
# - REACHED: every form slice collects all the role's forms before it takes its share, and
#   asserts that their fields, which the slices together walk, cover REACHED[role]; the
#   slice asserts that it walked every field of its own share.
SLICES = {  # role: (query slices, form slices)
    "admin": (1, 2),
    "lead": (3, 3),
    "leader_a": (3, 3),
    "senior_a": (1, 2),
}
# Requests per slice at least, about three quarters of the smallest slice of each half as
# measured 2026-12 (in brackets: the slices' counts then). Per role, query slices × their
# minimum + form slices × theirs ≥ MIN_REQUESTS (lead 3×180 + 3×360 = 1,620 ≥ 1,000;
# leader 3×125 + 3×250 = 1,125 ≥ 1,000; admin 280 + 2×240 = 760 ≥ 500; senior 280 + 2×190
# = 660 ≥ 500), checked just below.
SLICE_MIN = {
    ("admin", "queries"): 280,  # [372]
    ("admin", "forms"): 240,  # [334, 323]
    ("lead", "queries"): 180,  # [240, 228, 228]
    ("lead", "forms"): 360,  # [557, 560, 479]
    ("leader_a", "queries"): 125,  # [168, 168, 168]
    ("leader_a", "forms"): 250,  # [421, 372, 340]
    ("senior_a", "queries"): 280,  # [384]
    ("senior_a", "forms"): 190,  # [327, 257]
}
for _role, (_nq, _nf) in SLICES.items():
    _total = _nq * SLICE_MIN[(_role, "queries")] + _nf * SLICE_MIN[(_role, "forms")]
    assert _total >= MIN_REQUESTS[_role], _role
PARTS = [
    pytest.param(role, half, k, n, id=f"{role}-{half}-{k + 1}of{n}")
    for role in ("lead", "leader_a", "senior_a", "admin")  # the longest walks first
    for half, n in zip(("queries", "forms"), SLICES[role], strict=True)
    for k in range(n)
]


def collect_forms(walk: Walk, urls: list[str]) -> list[Form]:
    """One form of each kind on `urls` (the week's visits each have their own), sorted
    by kind, each with its action resolved and hx-post made its action."""
    forms: dict[tuple, Form] = {}
    for url in urls:
        response = walk.client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = FormParser()
        parser.feed(response.content.decode())
        for form in parser.forms:
            for target in {form.action or url, form.hx_post} - {""}:
                action = urljoin(url, target)
                view = resolve(urlsplit(action).path).view_name
                key = (view, form.method, tuple(hostile_values(form)))
                if not urlsplit(action).path.startswith(HOSTILE_SKIP):
                    forms.setdefault(key, replace(form, action=action, hx_post=""))
    return [forms[key] for key in sorted(forms)]


@pytest.mark.parametrize(("role", "half", "k", "n"), PARTS)
def test_no_form_or_query_answers_hostile_input_with_a_server_error(
    world_per_module, role, half, k, n
):
    """Slice k of n of one half of one role's walk (see SLICES)."""
    world = world_per_module
    cast = world.home
    clear_for_assignment(cast.senior_a)
    # The lead belongs to both organizations, so the organization switch is on every page.
    MembershipFactory(
        user=cast.lead.user, organization=world.other.organization, role=Role.LEAD, mfa=False
    )
    walk = Walk(login(Client(raise_request_exception=False), cast.persona(role)), role)
    urls = sorted(pages_for(cast, cast.persona(role)))
    fields: set[str] = set()
    if half == "queries":
        for url in urls[k::n]:
            for value in HOSTILE:
                walk.get(url, dict.fromkeys(QUERY_PARAMS, value))
    else:
        forms = collect_forms(walk, urls)
        every_field = {name for form in forms for name in hostile_values(form)}
        assert REACHED[role] <= every_field, f"{role}'s forms lack fields the holes were in"
        for form in forms[k::n]:
            baseline = plain_fill(form)
            for field_name, values in hostile_values(form).items():
                fields.add(field_name)
                for value in values:
                    data = {**baseline, field_name: value}
                    if form.method == "post":
                        walk.post(form.action, data, field_name)
                    else:
                        walk.get(form.action, data)
            if form.method == "post":  # the fields a view reads by hand, all at once
                for value in HOSTILE:
                    data = {**dict.fromkeys(POST_PARAMS, value), **baseline}
                    walk.post(form.action, data, "note")
        assert fields == {name for form in forms[k::n] for name in hostile_values(form)}
    assert walk.served >= walk.requests / 3, f"{role} was turned away from most pages"
    assert not walk.failures, "\n".join(walk.failures)
    assert walk.requests >= SLICE_MIN[(role, half)]


@pytest.mark.parametrize(
    "target",
    ["", "ikke en adresse", "home", "accounts:members", "//evil.example/", "https://evil.example/"],
)
def test_the_organization_switch_leads_to_home_unless_next_is_a_path_here(world, target):
    client = login(Client(), world.home.lead)
    data = {"organization": str(world.home.organization.pk), "next": target}
    response = client.post(reverse("accounts:switch_organization"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_organization_switch_keeps_a_next_path_on_this_site(world):
    client = login(Client(), world.home.lead)
    data = {"organization": str(world.home.organization.pk), "next": reverse("visits:week")}
    response = client.post(reverse("accounts:switch_organization"), data)
    assert response["Location"] == reverse("visits:week")
