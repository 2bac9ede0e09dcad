"""The senior's own visits on the phone: today first, then two weeks."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.factories import CareRecipientFactory, VisitFactory
from tests.visits.conftest import make_plan, oslo
from visits.changes import visit_cancel
from visits.models import VisitStatus
from visits.selectors import visit_next_for_recipient, visits_today

pytestmark = pytest.mark.django_db
NOW = oslo(2026, 3, 17, 8, 0)  # a Tuesday


@time_machine.travel(NOW, tick=False)
def test_the_agenda_starts_with_today_and_links_the_map_and_the_phone(world, client_for, planning):
    make_plan(world, planning.recipient, weekdays=(1, 3))
    html = client_for(world.home.senior_a).get("/mine-besok/").content.decode()
    today = html.index("I dag, tirsdag 17. mars")
    assert today < html.index("torsdag 19. mars") < html.index("tirsdag 31. mars")
    assert "fredag 3. april" not in html  # two weeks ahead, no more
    assert "11.00–12.00" in html
    assert (
        'href="https://www.google.com/maps/search/?api=1&amp;query='
        'Thereses%20gate%2012%2C%200452%20Oslo"' in html
    )
    assert 'href="tel:+4722334455"' in html


@time_machine.travel(NOW, tick=False)
def test_today_is_shown_even_without_visits(world, client_for, planning):
    make_plan(world, planning.recipient, weekdays=(3,))
    html = client_for(world.home.senior_a).get("/mine-besok/").content.decode()
    assert html.index("I dag, tirsdag 17. mars") < html.index("Ingen besøk i dag.")


@time_machine.travel(NOW, tick=False)
def test_a_cancelled_visit_is_shown_as_cancelled_without_links(world, client_for, planning):
    plan = make_plan(world, planning.recipient, weekdays=(1,))
    visit = plan.visits.order_by("starts_at").first()
    visit_cancel(visit=visit, by=world.home.leader_a, kind="customer", reason="Syk")
    html = client_for(world.home.senior_a).get("/mine-besok/").content.decode()
    assert "agenda-visit--cancelled" in html
    assert html.count('href="tel:') == 2  # 24 and 31 March; not the cancelled one
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED


@time_machine.travel(NOW, tick=False)
def test_a_senior_sees_only_their_own_visits(world, client_for, planning):
    make_plan(world, planning.recipient, weekdays=(1,))
    other = CareRecipientFactory(department=world.home.dept_a, name="Annen Person")
    theirs = VisitFactory(recipient=other, senior=world.home.senior_a2)
    client = client_for(world.home.senior_a)
    assert "Annen Person" not in client.get("/mine-besok/").content.decode()
    assert client.get(f"/mine-besok/{theirs.pk}/").status_code == 404
    own = planning.recipient.visits.first()
    page = client.get(f"/mine-besok/{own.pk}/").content.decode()
    assert planning.recipient.name in page
    assert planning.recipient.key_notes in page


@time_machine.travel(NOW, tick=False)
def test_visits_today_is_what_the_visit_log_will_build_on(world, planning):
    make_plan(world, planning.recipient, weekdays=(1,))
    VisitFactory(
        recipient=planning.recipient,
        senior=world.home.senior_a,
        starts_at=oslo(2026, 3, 17, 23, 30),
    )
    VisitFactory(
        recipient=planning.recipient, senior=world.home.senior_a, starts_at=oslo(2026, 3, 18, 0, 30)
    )
    today = visits_today(senior=world.home.senior_a)
    assert [v.starts_at for v in today] == [oslo(2026, 3, 17, 11, 0), oslo(2026, 3, 17, 23, 30)]
    assert visits_today(senior=world.home.senior_a2) == []
    assert dt.date(2026, 3, 17) == today[0].local_date


@time_machine.travel(NOW, tick=False)
def test_the_next_visit_of_a_recipient_skips_cancelled_ones(world, planning):
    plan = make_plan(world, planning.recipient, weekdays=(1,))
    first = plan.visits.order_by("starts_at").first()
    visit_cancel(visit=first, by=world.home.leader_a, kind="customer", reason="x")
    after = oslo(2026, 3, 17, 12, 0)
    assert visit_next_for_recipient(recipient=planning.recipient, after=after).starts_at == (
        oslo(2026, 3, 24, 11, 0)
    )
    assert visit_next_for_recipient(recipient=planning.recipient).starts_at == oslo(
        2026, 3, 24, 11, 0
    )
