"""No page shows user input unescaped.

The test reaches every page of the project as each staff role and a senior
(the URL list comes from the resolver, objects from the isolation registry),
fills every text field of every form it finds with a script tag, submits the
form, and then reads every page again — the form's answer, the page it leads to
and every other page — looking for the script tag as markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.models import CareRecipient, Customer
from omsorg.models import Criterion
from seniorene.accounts.policy import has_perm
from tests.conftest import login
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
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
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
    assert Customer.objects.filter(invoice_reference__contains=MARKUP).exists()
