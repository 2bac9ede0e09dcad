"""The answer page (public: the link in the SMS is the key) and the leader's "read"."""

from __future__ import annotations

import re
from typing import Any

from allauth.core.internal import ratelimit
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluations import services
from evaluations.access import get_evaluation_for_leader
from evaluations.forms import AnswerForm
from evaluations.lookups import evaluation_organization_id
from evaluations.models import Evaluation
from seniorene.accounts.decorators import public, require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm
from seniorene.accounts.tenancy import db_set_tenant

# What a link's secret looks like (`secrets.token_urlsafe`); anything else is refused unread.
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
# Per client address: enough for a family on one network, too few to guess a secret.
RATE_LIMITS = {"evaluation": "30/m/ip,200/h/ip"}


def _limited(request: HttpRequest) -> bool:
    """True when this address asked too often (allauth's limiter, as the login uses)."""
    usage = ratelimit.consume(
        request, app="evaluations", action="evaluation", config=RATE_LIMITS, limit_get=True
    )
    return usage is None


def _evaluation(token: str) -> Evaluation | None:
    """The evaluation the link opens, with the tenant set for this request, or None."""
    if not TOKEN.fullmatch(token):
        return None
    organization_id = evaluation_organization_id(services.token_hash(token))
    if organization_id is None:
        return None
    db_set_tenant(organization_id, None, local=True)
    return services.evaluation_for_token(organization_id=organization_id, token=token)


def _page(
    request: HttpRequest, template: str, ctx: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, f"evaluations/{template}", ctx, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The secret never leaves in a Referer ("no-referrer" would make a POST's Origin null).
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


@public
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The three questions. Answered once; a second submission shows the first answer."""
    if _limited(request):
        return _page(request, "limited.html", {}, status=429)
    evaluation = _evaluation(token)
    if evaluation is None:
        return _page(request, "link_invalid.html", {}, status=404)
    ctx: dict[str, Any] = {"evaluation": evaluation, "organization_name": evaluation.organization}
    if evaluation.answered_at is not None:
        return _page(request, "answered.html", {**ctx, "again": request.method == "POST"})
    now = timezone.now()
    if not services.evaluation_is_open(evaluation, now=now):
        return _page(request, "link_expired.html", ctx, status=410)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_answer(
                evaluation=evaluation,
                satisfaction=form.cleaned_data["satisfaction"],
                helps=form.cleaned_data["helps"],
                comment=form.cleaned_data["comment"],
                now=now,
            )
        except ValidationError as exc:
            if exc.code == "answered":
                return _page(request, "answered.html", {**ctx, "again": True})
            return _page(request, "link_expired.html", ctx, status=410)
        return redirect("evaluations:thanks", token)
    return _page(request, "answer.html", {**ctx, "form": form})


@public
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    """After the answer: thank you, and what was answered."""
    if _limited(request):
        return _page(request, "limited.html", {}, status=429)
    evaluation = _evaluation(token)
    if evaluation is None:
        return _page(request, "link_invalid.html", {}, status=404)
    if evaluation.answered_at is None:
        return redirect("evaluations:answer", token)
    ctx = {"evaluation": evaluation, "organization_name": evaluation.organization}
    return _page(request, "thanks.html", ctx)


@require_POST
@require(Perm.READ_EVALUATIONS)
def mark_read(request: AuthedRequest, pk: int) -> HttpResponse:
    """The leader has read an answer: it leaves *Følg opp*."""
    evaluation = get_evaluation_for_leader(request, pk)
    if services.evaluation_mark_read(evaluation=evaluation, by=request.membership):
        messages.success(request, _("Svaret er merket som lest."))
    return redirect("visits:watchdog")
