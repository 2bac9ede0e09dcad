"""Status with history; ending (R11) cancels what is scheduled and loses nothing logged."""

from __future__ import annotations

import pytest
from django.apps import apps

from customers import hooks
from customers.models import CareRecipient, RecipientStatus, StatusChange
from tests.factories import CareRecipientFactory

pytestmark = pytest.mark.django_db


def change(client, recipient, to_status, reason=""):
    return client.post(
        f"/brukere/{recipient.pk}/status/", {"to_status": to_status, "reason": reason}, follow=True
    )


def test_the_status_moves_along_the_funnel_with_history(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    client = client_for(world.home.leader_a)
    for status in ("screening", "intake_booked", "active"):
        change(client, recipient, status)
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.ACTIVE
    history = list(StatusChange.objects.filter(recipient=recipient).order_by("at", "id"))
    assert [(h.from_status, h.to_status) for h in history] == [
        ("inquiry", "screening"),
        ("screening", "intake_booked"),
        ("intake_booked", "active"),
    ]
    assert all(h.changed_by == world.home.leader_a.user for h in history)


def test_an_impossible_step_is_refused(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a)
    html = change(client_for(world.home.leader_a), recipient, "paused", "x").content.decode()
    assert "Kan ikke endre status fra «Henvendelse» til «Pause»." in html
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.INQUIRY


def test_pausing_and_ending_need_a_reason(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a, status=RecipientStatus.ACTIVE)
    client = client_for(world.home.leader_a)
    html = change(client, recipient, "ended").content.decode()
    assert "Skriv en kort begrunnelse" in html
    change(client, recipient, "ended", "Flyttet på sykehjem")
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.ENDED
    assert StatusChange.objects.get(to_status="ended").reason == "Flyttet på sykehjem"


def test_ending_runs_every_end_hook_in_the_same_transaction(world, client_for):
    seen = []
    hook = hooks.on_recipient_end(lambda recipient, by: seen.append((recipient.pk, by)))
    try:
        recipient = CareRecipientFactory(department=world.home.dept_a)
        change(client_for(world.home.leader_a), recipient, "ended", "Ønsker ikke tjenesten")
    finally:
        hooks.ON_END.remove(hook)
    assert seen == [(recipient.pk, world.home.leader_a.user)]


# Every model that points at a recipient is either history to keep when the
# recipient ends, or something scheduled that an end hook must cancel (R11).
# A later issue that adds such a model must list it here, and, if it is in
# CANCELLED_ON_END, register the hook that cancels it.
KEPT_ON_END = {
    "customers.assignment",
    "customers.statuschange",
    "customers.relative",
    "customers.customer",
    "customers.consent",
    "omsorg.screening",
    "ledger.timeentry",
    "ledger.mileageentry",
    "visits.visitlog",  # what happened at a visit is history
    "visits.concern",  # "Noe lederen bør vite" and its answer: history (text goes on anonymising)
    "ledger.expense",  # an outlay is bookkeeping (kept; its text is removed on anonymisation)
    # Issue 22: corrections (their reasons go on anonymisation) and the rows sent to Tripletex.
    "ledger.ledgercorrection",
    "ledger.exportline",
    "sms.inboundsms",  # a reply someone sent us is history (its text goes on anonymisation)
    # A relative's request to cancel or move a visit, and the answer: history. The page
    # that shows it closes when the recipient ends (customers.relative_access).
    "family.visitrequest",
}
CANCELLED_ON_END: dict[str, str] = {
    # Booked (not completed) Bli kjent meetings are cancelled; completed ones are kept.
    "omsorg.intakeinterview": "omsorg.services.interviews_cancel_for_recipient",
    "sms.smsmessage": "messaging.services.cancel_on_recipient_stop",
    # Future visits are cancelled on end and pause; ending also ends the plans.
    # Logged and past visits are kept.
    "visits.visit": "visits.hooks.visits_stop_for_recipient",
    "visits.visitplan": "visits.hooks.visits_stop_for_recipient",
    # An open job is withdrawn on end and pause; filled and withdrawn ones are kept.
    "openings.jobopening": "openings.services.openings_withdraw_for_recipient",
    # Issue 21: a link not yet answered stops working; answers are kept (the figures).
    "evaluations.evaluation": "evaluations.hooks.evaluations_close_for_recipient",
}


def models_pointing_at_recipients() -> set[str]:
    found = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if getattr(field, "many_to_one", False) and field.related_model is CareRecipient:
                found.add(model._meta.label_lower)
    return found


def test_every_model_that_points_at_a_recipient_is_classified_for_ending():
    unclassified = models_pointing_at_recipients() - KEPT_ON_END - set(CANCELLED_ON_END)
    assert unclassified == set(), "add these to KEPT_ON_END or CANCELLED_ON_END (R11)"


def test_ending_keeps_what_was_logged(world, client_for):
    recipient = CareRecipientFactory(department=world.home.dept_a, seniors=[world.home.senior_a])
    change(client_for(world.home.leader_a), recipient, "ended", "Slutt")
    assert CareRecipient.objects.filter(pk=recipient.pk).exists()
    assert StatusChange.objects.filter(recipient=recipient).exists()
