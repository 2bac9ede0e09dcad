"""The senior logs a visit on the phone: once, with hours on the customer's project."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import ConsentPurpose
from ledger.models import TimeEntry
from tests.factories import CareRecipientFactory, ConsentFactory, RelativeFactory, VisitFactory
from visits.civil_time import OSLO
from visits.logging import visit_log_submit
from visits.models import VisitLog, VisitStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(world):
    recipient = CareRecipientFactory(department=world.home.dept_a, status="active")
    today_nine = timezone.make_aware(datetime.combine(timezone.localdate(), time(0, 0)))
    return VisitFactory(recipient=recipient, senior=world.home.senior_a, starts_at=today_nine)


def post(client, visit, **data):
    payload = {
        "happened": "1",
        "submission_key": str(uuid.uuid4()),
        "checked_in": "00:00",
        "checked_out": "00:45",
        "went_well": "Vi gikk en tur til Frognerparken.",
        "could_change": "",
    }
    payload.update(data)
    return client.post(f"/mine-besok/{visit.pk}/for/", payload)


def test_a_senior_logs_a_visit_with_the_notebook_entry(world, client_for, visit):
    response = post(client_for(world.home.senior_a), visit)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.LOGGED
    log = VisitLog.objects.get()
    assert log.went_well == "Vi gikk en tur til Frognerparken."
    entry = TimeEntry.objects.get()
    assert (entry.hours, entry.billable, entry.source_id) == (0.75, True, visit.pk)
    assert entry.customer is None or entry.customer.recipient_id == visit.recipient_id


def test_the_same_submission_twice_stores_one_log(world, client_for, visit):
    client = client_for(world.home.senior_a)
    key = str(uuid.uuid4())
    first = post(client, visit, submission_key=key)
    second = post(client, visit, submission_key=key)
    assert first.status_code == second.status_code == 302
    assert VisitLog.objects.count() == 1
    assert TimeEntry.objects.count() == 1
    again = visit_log_submit(visit=visit, by=world.home.senior_a, submission_key=uuid.UUID(key))
    assert again == VisitLog.objects.get()


def test_a_visit_that_did_not_happen_needs_a_reason_and_records_no_hours(world, client_for, visit):
    client = client_for(world.home.senior_a)
    html = post(client, visit, happened="0", reason="").content.decode()
    assert "Feltet er påkrevet." in html
    post(client, visit, happened="0", reason="Lå på sykehus")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.NOT_HAPPENED
    assert VisitLog.objects.get().not_happened_reason == "Lå på sykehus"
    assert not TimeEntry.objects.exists()


def test_leaving_before_arriving_is_refused(world, client_for, visit):
    html = post(
        client_for(world.home.senior_a), visit, checked_in="00:30", checked_out="00:10"
    ).content.decode()
    assert "må være etter tidspunktet du kom" in html
    assert not VisitLog.objects.exists()


def test_sharing_needs_a_relative_s_consent(world, client_for, visit):
    client = client_for(world.home.senior_a)
    post(client, visit, share_with_relatives="on")
    assert VisitLog.objects.get().share_with_relatives is False

    other = VisitFactory(
        recipient=visit.recipient,
        senior=world.home.senior_a,
        starts_at=visit.starts_at + timedelta(minutes=1),
    )
    relative = RelativeFactory(recipient=visit.recipient)
    ConsentFactory(
        recipient=visit.recipient, relative=relative, purpose=ConsentPurpose.NOTEBOOK_SHARING
    )
    post(client, other, share_with_relatives="on")
    assert VisitLog.objects.get(visit=other).share_with_relatives is True


def test_a_cancelled_visit_cannot_be_logged(world, visit):
    visit.status = VisitStatus.CANCELLED
    visit.cancelled_at = timezone.now()
    visit.save()
    with pytest.raises(ValidationError, match="allerede ført eller avlyst"):
        visit_log_submit(visit=visit, by=world.home.senior_a, submission_key=uuid.uuid4())
    assert not VisitLog.objects.exists()


def test_the_notebook_shows_on_the_card_and_to_the_visiting_senior(world, client_for, visit):
    from customers.models import Assignment

    Assignment.objects.create(
        organization=world.home.organization, recipient=visit.recipient, senior=world.home.senior_a
    )
    post(client_for(world.home.senior_a), visit, could_change="Kortere tur neste gang")
    leader_card = client_for(world.home.leader_a).get(f"/brukere/{visit.recipient.pk}/")
    senior_card = client_for(world.home.senior_a).get(f"/mine-brukere/{visit.recipient.pk}/")
    for page in (leader_card, senior_card):
        html = page.content.decode()
        assert "Vi gikk en tur til Frognerparken." in html
        assert "Kortere tur neste gang" in html


def test_the_notebook_pages_through_every_entry_newest_first(world, client_for):
    """Ten entries to a page on the card and the senior's page; "Eldre" reaches the oldest
    (the card once showed the newest 50 and nothing older)."""
    import re

    from customers.models import Assignment

    recipient = CareRecipientFactory(department=world.home.dept_a, status="active")
    Assignment.objects.create(
        organization=world.home.organization, recipient=recipient, senior=world.home.senior_a
    )
    first = datetime(2026, 3, 2, 10, 0, tzinfo=OSLO)
    for day in range(23):
        visit = VisitFactory(
            recipient=recipient,
            senior=world.home.senior_a,
            starts_at=first + timedelta(days=day),
            status=VisitStatus.LOGGED,
        )
        VisitLog.objects.create(
            organization=world.home.organization,
            visit=visit,
            recipient=recipient,
            went_well=f"Innføring nummer {day + 1}.",
            submission_key=uuid.uuid4(),
            logged_by=world.home.senior_a.user,
        )

    for client, url in (
        (client_for(world.home.leader_a), f"/brukere/{recipient.pk}/"),
        (client_for(world.home.senior_a), f"/mine-brukere/{recipient.pk}/"),
    ):
        pages = []
        for n in (1, 2, 3):
            html = client.get(url, {"bok_side": n}).content.decode()
            pages.append([int(x) for x in re.findall(r"Innføring nummer (\d+)\.", html)])
            assert f"Side {n} av 3" in html
            assert f'start="{(n - 1) * 10 + 1}"' in html  # numbered on from the page before
            assert ("Eldre" in html) == (n < 3)
        assert pages == [
            list(range(23, 13, -1)),
            list(range(13, 3, -1)),
            [3, 2, 1],
        ]
        # Without a page number (or with a wrong one) it is the newest ten.
        for query in ({}, {"bok_side": "x"}):
            html = client.get(url, query).content.decode()
            assert re.findall(r"Innføring nummer (\d+)\.", html)[0] == "23"
