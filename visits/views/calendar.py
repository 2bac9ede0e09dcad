"""The calendar feed: the senior's address and its reset, the staff reset, the ICS itself."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from seniorene.accounts.decorators import public, require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm
from seniorene.accounts.tenancy import db_set_tenant
from visits.access import (
    get_senior_for_user,
)
from visits.calendar_feed import (
    calendar_feed_check,
    calendar_feed_for,
    calendar_feed_reset,
    calendar_ics,
    calendar_mark_fetched,
    calendar_organization_for_token,
    calendar_token,
)


def _feed_urls(request: HttpRequest, feed) -> dict[str, str]:
    from urllib.parse import quote

    from django.conf import settings

    path = reverse("visits:ics", args=[calendar_token(feed)])
    https = settings.SITE_URL + path
    webcal = "webcal://" + https.split("://", 1)[-1]
    return {
        "https": https,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
    }


@require(Perm.VIEW_OWN_VISITS)
def calendar(request: AuthedRequest) -> HttpResponse:
    """The senior's own calendar address, to add the visits to the phone's calendar."""
    from visits.models import CalendarFeed

    feed = CalendarFeed.objects.filter(membership=request.membership).first()
    ctx = {"feed": feed, "urls": _feed_urls(request, feed) if feed else None}
    return render(request, "visits/calendar.html", ctx)


@require_POST
@require(Perm.VIEW_OWN_VISITS)
def calendar_reset(request: AuthedRequest) -> HttpResponse:
    """Make the calendar address (first time) or a new one (the old one stops working)."""
    from visits.models import CalendarFeed

    existed = CalendarFeed.objects.filter(membership=request.membership).exists()
    if existed:
        calendar_feed_reset(membership=request.membership)
        messages.success(
            request, _("Du har fått en ny kalenderlenke. Den gamle virker ikke lenger.")
        )
    else:
        calendar_feed_for(membership=request.membership)
        messages.success(request, _("Kalenderlenken er laget."))
    return redirect("visits:calendar")


@require_POST
@require(Perm.RESET_CALENDAR_FEEDS)
def senior_calendar_reset(request: AuthedRequest, pk: int) -> HttpResponse:
    """A senior's leader (their departments), the lead or an admin gives the senior a new
    calendar address, e.g. after a lost phone: the old one stops working at once."""
    from seniorene.accounts.policy import has_perm
    from visits.models import CalendarFeed

    senior = get_senior_for_user(request, pk)
    if CalendarFeed.objects.filter(membership=senior).exists():
        calendar_feed_reset(membership=senior, by=request.membership)
        messages.success(
            request,
            _("%(name)s har fått en ny kalenderlenke. Den gamle virker ikke lenger.")
            % {"name": senior.user.name},
        )
    else:
        messages.info(
            request,
            _("%(name)s har ingen kalenderlenke ennå.") % {"name": senior.user.name},
        )
    if has_perm(request.membership, Perm.PLAN_VISITS):
        return redirect("visits:availability", senior.pk)
    return redirect("accounts:member_edit", senior.pk)


@require_GET
@public
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The ICS feed for whoever holds the secret address (a calendar app)."""
    organization_id = calendar_organization_for_token(token)
    if organization_id is None:
        raise Http404
    db_set_tenant(
        organization_id, request.user.pk if request.user.is_authenticated else None, local=True
    )
    feed = calendar_feed_check(organization_id=organization_id, token=token)
    if feed is None:
        raise Http404
    body = calendar_ics(feed=feed)
    calendar_mark_fetched(feed)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="besok.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
