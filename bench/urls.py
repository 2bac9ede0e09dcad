"""The project's URLs plus the floor page that `make bench` divides by."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from seniorene.accounts.decorators import require
from seniorene.accounts.policy import Perm
from seniorene.urls import urlpatterns as project_urlpatterns

FLOOR = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}Gulv{% endblock %}'
    "{% block content %}<h1>Gulv</h1>{% endblock %}"
)


@require(Perm.USE_APP)
def floor(request: HttpRequest) -> HttpResponse:
    """The base template with nothing in it, behind the same checks as every page."""
    return HttpResponse(FLOOR.render({}, request))


urlpatterns = [path("bench/floor/", floor), *project_urlpatterns]
