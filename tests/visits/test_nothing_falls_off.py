"""Issue 18: nothing falls off the senior's agenda ("Ikke ført"), the leader logs or closes a
visit for the senior, the check-in window and hours far above the plan, "Tidligere besøk"
and "Hvem ringer jeg?"."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from ledger.models import TimeEntry
from seniorene.audit.models import AuditEvent
from tests.factories import CareRecipientFactory, VisitFactory
from visits.logging import (
    CHECK_IN_EARLY,
    LogFields,
    visit_check_in,
    visit_close,
    visit_log_on_behalf,
)
from visits.models import VisitLog, VisitLogDraft, VisitStatus

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
# Tuesday 10 March 2026: the reported visit was at 10.00 and planned for 1,5 hours.
TEN = datetime(2026, 3, 10, 10, 0, tzinfo=OSLO)
AGENDA = "/mine-besok/"


def at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    return TEN.replace(hour=hour, minute=minute) + timedelta(days=days)


@pytest.fixture
def recipient(world):
    recipient = CareRecipientFactory(
        department=world.home.dept_a,
        name="Åse Ødegård",
        status="active",
        seniors=[world.home.senior_a],
    )
    Customer.objects.create(
        organization=world.home.organization, recipient=recipient, kind="recipient"
    )
    return recipient


def visit_at(world, recipient, starts_at, **fields):
    fields.setdefault("duration_minutes", 90)
    return VisitFactory(
        recipient=recipient, senior=world.home.senior_a, starts_at=starts_at, **fields
    )


def log_post(client, visit, **data):
    payload = {
        "happened": "1",
        "submission_key": str(uuid.uuid4()),
        "checked_in": "10:00",
        "checked_out": "11:30",
        "went_well": "Vi drakk kaffe.",
    }
    payload.update(data)
    return client.post(f"/mine-besok/{visit.pk}/for/", payload)


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by `heading_id` ("" if there is none)."""
    found = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    return found.group(0) if found else ""


# --- "Ikke ført" ----------------------------------------------------------------------------


def test_a_visit_not_logged_stays_under_ikke_fort_however_long_ago(world, client_for, recipient):
    old = visit_at(world, recipient, at(10, days=-40))
    yesterday = visit_at(world, recipient, at(12, days=-1))
    logged = visit_at(world, recipient, at(9, days=-2), status=VisitStatus.LOGGED)
    cancelled = visit_at(
        world,
        recipient,
        at(9, days=-3),
        status=VisitStatus.CANCELLED,
        cancelled_at=at(8, days=-4),
    )
    with time_machine.travel(at(8), tick=False):
        html = client_for(world.home.senior_a).get(AGENDA).content.decode()
    unlogged = section(html, "h-unlogged")
    assert "Ikke ført" in unlogged
    for shown in (old, yesterday):
        assert f"/mine-besok/{shown.pk}/for/" in unlogged
    for gone in (logged, cancelled):
        assert f"/mine-besok/{gone.pk}/" not in unlogged
    # The oldest first, with its date.
    assert unlogged.index(f"/mine-besok/{old.pk}/") < unlogged.index(f"/mine-besok/{yesterday.pk}/")
    assert "torsdag 29. januar" in unlogged


def test_without_unlogged_visits_there_is_no_ikke_fort(world, client_for, recipient):
    visit_at(world, recipient, at(10))  # today's, not yet begun
    with time_machine.travel(at(8), tick=False):
        html = client_for(world.home.senior_a).get(AGENDA).content.decode()
    assert 'id="h-unlogged"' not in html


def test_the_agenda_takes_as_many_queries_with_one_or_many_unlogged_visits(
    world, client_for, recipient
):
    visit_at(world, recipient, at(10, days=-1))
    with time_machine.travel(at(8), tick=False):
        client = client_for(world.home.senior_a)
        client.get(AGENDA)  # warm the session and the caches
        with CaptureQueriesContext(connection) as one:
            client.get(AGENDA)
        for days in range(2, 12):
            other = CareRecipientFactory(department=world.home.dept_a, status="active")
            visit_at(world, other, at(10, days=-days))
        with CaptureQueriesContext(connection) as many:
            html = client.get(AGENDA).content.decode()
    assert section(html, "h-unlogged").count("Skriv besøksrapport for") == 11
    assert len(many) == len(one)


def test_the_senior_logs_yesterdays_visit_from_ikke_fort_on_its_own_date(
    world, client_for, recipient
):
    yesterday = visit_at(world, recipient, at(10, days=-1))
    with time_machine.travel(at(8), tick=False):
        client = client_for(world.home.senior_a)
        form = client.get(f"/mine-besok/{yesterday.pk}/for/").content.decode()
        assert 'value="10:00"' in form
        assert 'value="11:30"' in form
        response = log_post(client, yesterday)
        assert response.status_code == 302
        html = client.get(AGENDA).content.decode()
    assert 'id="h-unlogged"' not in html
    entry = TimeEntry.objects.get(source_id=yesterday.pk)
    assert (entry.date, entry.hours) == (at(10, days=-1).date(), Decimal("1.50"))


# --- The check-in window (the reported defect) --------------------------------------------


def test_a_check_in_ten_hours_early_is_refused_with_the_time_it_opens(world, client_for, recipient):
    visit = visit_at(world, recipient, TEN)
    with time_machine.travel(at(0, 21), tick=False):
        client = client_for(world.home.senior_a)
        response = client.post(f"/mine-besok/{visit.pk}/fremme/", follow=True)
        assert "Du kan melde deg fremme fra kl. 09.00." in response.content.decode()
    assert not VisitLogDraft.objects.filter(visit=visit, arrived_at__isnull=False).exists()


def test_the_check_in_window_opens_an_hour_before_and_closes_an_hour_after(world, recipient):
    visit = visit_at(world, recipient, TEN)  # 10.00–11.30
    senior = world.home.senior_a
    with pytest.raises(ValidationError, match="fra kl. 09.00"):
        visit_check_in(visit=visit, by=senior, at=TEN - CHECK_IN_EARLY - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="Besøket er over"):
        visit_check_in(visit=visit, by=senior, at=at(12, 31))
    draft = visit_check_in(visit=visit, by=senior, at=at(9))
    assert draft.arrived_at == at(9)


def test_a_check_in_the_evening_before_names_the_day(world, recipient):
    visit = visit_at(world, recipient, TEN)
    with pytest.raises(ValidationError, match="tirsdag 10. mars kl. 09.00"):
        visit_check_in(visit=visit, by=world.home.senior_a, at=at(21, days=-1))


def test_an_arrival_far_from_the_plan_does_not_prefill_the_log(world, client_for, recipient):
    """A draft from before the window (the old check-in at 00.21) keeps the plan's times."""
    visit = visit_at(world, recipient, TEN)
    VisitLogDraft.objects.create(
        organization=world.home.organization,
        visit=visit,
        membership=world.home.senior_a,
        arrived_at=at(0, 21),
        data={"checked_in": "00:21"},
    )
    with time_machine.travel(at(12), tick=False):
        html = client_for(world.home.senior_a).get(f"/mine-besok/{visit.pk}/for/").content
    assert 'value="00:21"' not in html.decode()
    assert 'value="10:00"' in html.decode()


def test_an_arrival_in_the_window_prefills_the_log(world, client_for, recipient):
    visit = visit_at(world, recipient, TEN)
    visit_check_in(visit=visit, by=world.home.senior_a, at=at(9, 52))
    with time_machine.travel(at(12), tick=False):
        html = client_for(world.home.senior_a).get(f"/mine-besok/{visit.pk}/for/").content
    assert 'value="09:52"' in html.decode()


# --- Hours far above the plan -------------------------------------------------------------


def test_many_hours_need_confirmation_and_show_on_folg_opp_until_seen(world, client_for, recipient):
    visit = visit_at(world, recipient, TEN)
    key = str(uuid.uuid4())
    with time_machine.travel(at(12), tick=False):
        senior = client_for(world.home.senior_a)
        asked = log_post(senior, visit, submission_key=key, checked_in="00:21", checked_out="11:00")
        assert asked.status_code == 422
        page = asked.content.decode()
        assert "Du har ført 10,65 timer – planen var 1,5. Stemmer det?" in page
        assert "Ja, timene stemmer" in page
        assert key in page  # the same submission key: a retry still logs once
        assert not VisitLog.objects.exists()
        assert not TimeEntry.objects.exists()

        for _twice in range(2):  # confirmed, and a double tap
            confirmed = log_post(
                senior,
                visit,
                submission_key=key,
                checked_in="00:21",
                checked_out="11:00",
                confirm_hours="on",
            )
            assert confirmed.status_code == 302
        log = VisitLog.objects.get()
        assert log.many_hours
        assert TimeEntry.objects.get().hours == Decimal("10.65")

        leader = client_for(world.home.leader_a)
        follow_up = section(leader.get("/besok/folg-opp/").content.decode(), "h-many-hours")
        assert "Mange timer ført" in follow_up
        assert f"/besok/{visit.pk}/" in follow_up
        # Another department's leader does not see it, nor can mark it.
        other = client_for(world.home.leader_b)
        assert f"/besok/{visit.pk}/" not in section(
            other.get("/besok/folg-opp/").content.decode(), "h-many-hours"
        )
        assert other.post(f"/besok/{visit.pk}/timer-sett/").status_code == 404

        assert leader.post(f"/besok/{visit.pk}/timer-sett/").status_code == 302
        follow_up = section(leader.get("/besok/folg-opp/").content.decode(), "h-many-hours")
    assert f"/besok/{visit.pk}/" not in follow_up
    log.refresh_from_db()
    assert log.many_hours_seen_by == world.home.leader_a.user
    assert AuditEvent.objects.filter(action="visit.many_hours_seen").count() == 1


def test_hours_within_an_hour_of_the_plan_need_no_confirmation(world, client_for, recipient):
    visit = visit_at(world, recipient, TEN)  # planned 1,5 hours
    with time_machine.travel(at(13), tick=False):
        response = log_post(
            client_for(world.home.senior_a), visit, checked_in="10:00", checked_out="12:30"
        )
    assert response.status_code == 302
    assert not VisitLog.objects.get().many_hours


# --- The leader logs or closes on the senior's behalf -------------------------------------


def on_behalf(client, visit, **data):
    payload = {
        "submission_key": str(uuid.uuid4()),
        "reason": "Senioren har ikke smarttelefon med seg",
        "checked_in": "10:00",
        "checked_out": "11:30",
        "went_well": "Ringte meg etterpå: fin tur.",
    }
    payload.update(data)
    return client.post(f"/besok/{visit.pk}/for-senioren/", payload)


def test_the_leader_logs_a_visit_for_the_senior_with_a_reason(world, client_for, recipient):
    visit = visit_at(world, recipient, at(10, days=-3))
    with time_machine.travel(at(8), tick=False):
        leader = client_for(world.home.leader_a)
        assert "Før for senioren" in leader.get(f"/besok/{visit.pk}/").content.decode()
        refused = on_behalf(leader, visit, reason="")
        assert refused.status_code == 422
        assert "Skriv hvorfor du fører besøket for senioren." in refused.content.decode()
        assert on_behalf(leader, visit).status_code == 302
        page = leader.get(f"/besok/{visit.pk}/").content.decode()
        card = leader.get(f"/brukere/{recipient.pk}/").content.decode()
        agenda = client_for(world.home.senior_a).get(AGENDA).content.decode()
    log = VisitLog.objects.get()
    assert (log.logged_by, log.on_behalf_reason) == (
        world.home.leader_a.user,
        "Senioren har ikke smarttelefon med seg",
    )
    # Billed the same way: the senior's hours on the customer's project.
    entry = TimeEntry.objects.get()
    assert (entry.membership, entry.hours, entry.source_id) == (
        world.home.senior_a,
        Decimal("1.50"),
        visit.pk,
    )
    assert AuditEvent.objects.filter(action="visit.logged_on_behalf").count() == 1
    assert "for senioren: Senioren har ikke smarttelefon med seg" in page
    assert "ført for senioren: Senioren har ikke smarttelefon med seg" in card
    assert 'id="h-unlogged"' not in agenda


def test_the_leader_closes_a_visit_without_a_report_and_nothing_is_billed(
    world, client_for, recipient
):
    visit = visit_at(world, recipient, at(10, days=-2))
    with time_machine.travel(at(8), tick=False):
        leader = client_for(world.home.leader_a)
        refused = leader.post(f"/besok/{visit.pk}/lukk/", {"close_reason": ""})
        assert "Skriv hvorfor besøket lukkes uten rapport." in refused.content.decode()
        reason = "Besøket ble ikke gjennomført, senioren syk"
        assert leader.post(f"/besok/{visit.pk}/lukk/", {"close_reason": reason}).status_code == 302
        page = leader.get(f"/besok/{visit.pk}/").content.decode()
        senior = client_for(world.home.senior_a)
        agenda = senior.get(AGENDA).content.decode()
        own = senior.get(f"/mine-besok/{visit.pk}/").content.decode()
    visit.refresh_from_db()
    assert (visit.status, visit.closed_by, visit.closed_reason) == (
        VisitStatus.CLOSED,
        world.home.leader_a.user,
        reason,
    )
    assert not TimeEntry.objects.exists()
    assert AuditEvent.objects.filter(action="visit.closed").count() == 1
    assert "Lukket uten rapport" in page
    assert reason in page
    assert 'id="h-unlogged"' not in agenda
    assert reason in own


def test_only_the_departments_leaders_and_the_lead_log_or_close_for_the_senior(
    world, client_for, recipient
):
    visit = visit_at(world, recipient, at(10, days=-1))
    with time_machine.travel(at(8), tick=False):
        for outsider in (world.home.leader_b, world.other.leader_a, world.other.lead):
            client = client_for(outsider)
            assert on_behalf(client, visit).status_code == 404
            assert client.post(f"/besok/{visit.pk}/lukk/", {"close_reason": "x"}).status_code == 404
        senior = client_for(world.home.senior_a)
        assert on_behalf(senior, visit).status_code == 403
        # The service refuses another department's leader too (not only the view).
        with pytest.raises(ValidationError):
            visit_close(visit=visit, by=world.home.leader_b, reason="Syk")
        with pytest.raises(ValidationError):
            visit_log_on_behalf(
                visit=visit,
                by=world.home.senior_a2,
                reason="x",
                submission_key=uuid.uuid4(),
                fields=LogFields(),
            )
        assert on_behalf(client_for(world.home.lead), visit).status_code == 302
    assert VisitLog.objects.get().logged_by == world.home.lead.user


def test_a_visit_that_has_not_been_yet_cannot_be_closed(world, client_for, recipient):
    visit = visit_at(world, recipient, at(10, days=2))
    with time_machine.travel(at(8), tick=False):
        with pytest.raises(ValidationError, match="ikke vært ennå"):
            visit_close(visit=visit, by=world.home.leader_a, reason="Syk")
        page = client_for(world.home.leader_a).get(f"/besok/{visit.pk}/").content.decode()
    assert "Lukk uten rapport" not in page


# --- Tidligere besøk ------------------------------------------------------------------------


def test_past_visits_lists_the_last_30_days_done_with(world, client_for, recipient):
    logged = visit_at(world, recipient, at(10, days=-3), status=VisitStatus.LOGGED)
    closed = visit_at(
        world,
        recipient,
        at(10, days=-5),
        status=VisitStatus.CLOSED,
        closed_at=at(9),
        closed_reason="Syk",
    )
    too_old = visit_at(world, recipient, at(10, days=-31), status=VisitStatus.LOGGED)
    unlogged = visit_at(world, recipient, at(10, days=-1))
    others = VisitFactory(
        recipient=recipient,
        senior=world.home.senior_a2,
        starts_at=at(10, days=-2),
        status=VisitStatus.LOGGED,
    )
    with time_machine.travel(at(8), tick=False):
        client = client_for(world.home.senior_a)
        assert "/mine-besok/tidligere/" in client.get(AGENDA).content.decode()
        html = client.get("/mine-besok/tidligere/").content.decode()
    for shown in (logged, closed):
        assert f"/mine-besok/{shown.pk}/" in html
    for hidden in (too_old, unlogged, others):
        assert f"/mine-besok/{hidden.pk}/" not in html
    assert html.index(f"/mine-besok/{logged.pk}/") < html.index(f"/mine-besok/{closed.pk}/")


# --- Hvem ringer jeg? -----------------------------------------------------------------------


def test_who_to_call_shows_the_departments_leader_and_the_lead(world, client_for):
    home = world.home
    home.leader_a.user.phone = "+4791234567"
    home.leader_a.user.save()
    client = client_for(home.senior_a)
    assert "/mine-besok/hvem-ringer-jeg/" in client.get(AGENDA).content.decode()
    html = client.get("/mine-besok/hvem-ringer-jeg/").content.decode()
    assert 'href="tel:+4791234567"' in html
    assert "din nærmeste leder" in html
    assert home.lead.user.name in html
    assert "ekstra støtte" in html
    # The lead has no phone: say so, and give the e-mail.
    assert "Ingen telefon er registrert." in html
    assert f"mailto:{home.lead.user.email}" in html
    # Not the leader of another department, nor another organization's people.
    for stranger in (home.leader_b, world.other.leader_a, world.other.lead):
        assert stranger.user.name not in html
    # The leader comes before the lead.
    assert html.index(home.leader_a.user.name) < html.index(home.lead.user.name)


def test_who_to_call_is_for_seniors_only(world, client_for):
    for staff in (world.home.leader_a, world.home.lead, world.home.admin):
        assert client_for(staff).get("/mine-besok/hvem-ringer-jeg/").status_code == 403
