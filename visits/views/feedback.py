"""The feedback SMS after a visit, and the organization's wording of it."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from seniorene.accounts.decorators import require
from seniorene.accounts.http import AuthedRequest
from seniorene.accounts.policy import Perm
from seniorene.forms import add_errors
from visits.access import (
    get_own_visit_for_senior,
)
from visits.models import (
    VisitStatus,
)


@require(Perm.VIEW_OWN_VISITS)
def feedback(request: AuthedRequest, pk: int) -> HttpResponse:
    """The feedback SMS for a logged visit: who will get it and who will not (and why), the
    prefilled text, the preview with its length, the confidentiality reminder; when nobody
    may get it the page says why and sends nothing."""
    from visits import feedback as fb
    from visits.forms import FeedbackForm

    visit = get_own_visit_for_senior(request, pk)
    plan = fb.feedback_plan(visit)
    sent = fb.feedback_message(visit)
    if visit.status != VisitStatus.LOGGED or plan is None:
        return redirect("visits:my_visit", visit.pk)
    target = plan.body_target
    prefill = fb.feedback_prefill(visit, target)
    relatives_target = plan.relatives_target
    relatives_prefill = (
        fb.feedback_prefill(visit, relatives_target) if relatives_target is not None else None
    )
    form = FeedbackForm(
        request.POST or None,
        initial={
            "body": prefill.body,
            "relatives_body": relatives_prefill.body if relatives_prefill else "",
        },
        relatives=relatives_prefill is not None,
    )
    preview_only = request.htmx and request.POST.get("preview") == "1"
    if request.method == "POST" and not preview_only and form.is_valid():
        try:
            message, created = fb.feedback_send(
                visit=visit,
                by=request.membership,
                body=form.cleaned_data["body"],
                relatives_body=form.cleaned_data.get("relatives_body") or "",
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if not created:
                messages.info(request, _("Meldingen var allerede sendt. Den sendes ikke igjen."))
            elif message.send_after > timezone.now() + timedelta(minutes=1):
                when = timezone.localtime(message.send_after)
                messages.success(
                    request,
                    _("Meldingen sendes %(day)s kl. %(time)s (utenfor sendetidene nå).")
                    % {"day": when.strftime("%d.%m."), "time": when.strftime("%H.%M")},
                )
            else:
                messages.success(request, _("Meldingen er sendt."))
            return redirect("visits:agenda")
    body = form["body"].value() or ""
    full_text = fb.feedback_full_text(str(body), prefill)
    relatives_text = ""
    if relatives_prefill is not None:
        relatives_body = form["relatives_body"].value() or ""
        relatives_text = fb.feedback_full_text(str(relatives_body), relatives_prefill)
    same_text = [t for t in plan.sending if t.kind == target.kind]
    ctx = {
        "frame": prefill,
        "relatives_frame": relatives_prefill,
        "visit": visit,
        "plan": plan,
        "target": target,
        "same_text": same_text,
        "form": form,
        "sent": sent,
        "full_text": full_text,
        "counts": fb.feedback_counts(full_text),
        "relatives_text": relatives_text,
        "relatives_counts": fb.feedback_counts(relatives_text) if relatives_text else None,
    }
    if preview_only:
        return render(request, "visits/_feedback_preview.html", ctx)
    status = 422 if request.method == "POST" else 200
    return render(request, "visits/feedback.html", ctx, status=status)


@require(Perm.MANAGE_SMS_TEMPLATES)
def sms_templates(request: AuthedRequest) -> HttpResponse:
    """The organization's wording of the feedback SMS, with the placeholders explained."""
    from visits import feedback as fb
    from visits.forms import SmsTemplatesForm

    form = SmsTemplatesForm(
        request.POST or None, initial=fb.templates_current(request.organization.pk)
    )
    if request.method == "POST" and form.is_valid():
        fb.templates_save(organization=request.organization, by=request.user, bodies=form.bodies())
        messages.success(request, _("Malene er lagret."))
        return redirect("visits:sms_templates")
    ctx = {"form": form, "placeholders": fb.PLACEHOLDERS.items()}
    return render(request, "visits/sms_templates.html", ctx, status=400 if form.is_bound else 200)
