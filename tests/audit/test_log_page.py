"""The admin's log in plain words: sentences from real events, filters, grouped looks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging import services as sms_services
from messaging.models import SmsAudience
from seniorene.accounts import services as account_services
from seniorene.accounts.models import Role
from seniorene.audit.models import AuditEvent
from seniorene.audit.services import audit_record, view_record
from tests.factories import CareRecipientFactory, VisitFactory
from tests.sms.helpers import relative_with_consent
from tests.training.helpers import clear_for_assignment
from visits.changes import visit_cancel, visit_reassign

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
MOMENT = datetime(2026, 3, 10, 12, 0, tzinfo=OSLO)  # a Tuesday, within sending hours
LOG = "/logg/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(MOMENT, tick=False) as traveller:
        yield traveller


def table(html: str) -> str:
    """The log's table body (the filter's choice list names the codes as option values)."""
    found = re.search(r"<tbody>(.*?)</tbody>", html, flags=re.S)
    return found[1] if found else ""


def lines(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", table(html), flags=re.S)
    ]


def log(client, **params) -> str:
    response = client.get(LOG, params)
    assert response.status_code == 200
    return response.content.decode()


def department_event(cast, dept, *, actor=None) -> AuditEvent:
    return audit_record(
        organization=cast.organization, actor=actor, action="department.updated", obj=dept
    )


# --- Sentences from real service calls -------------------------------------------------------


def test_real_events_read_as_norwegian_sentences(world, client_for, settings):
    settings.SMS_BACKEND = "outbox"
    home = world.home
    leader = home.leader_a
    recipient = CareRecipientFactory(department=home.dept_a, name="Ingrid Østby")
    visit = VisitFactory(
        recipient=recipient,
        senior=home.senior_a,
        starts_at=datetime(2026, 3, 11, 10, 0, tzinfo=OSLO),
    )
    visit_cancel(visit=visit, by=leader, kind="customer", reason="Hun er syk")
    invitation = account_services.invitation_create(
        by=home.admin,
        email="siri@test.example",
        name="Siri Senior",
        role=Role.SENIOR,
        departments=[home.dept_a],
    )
    account_services.invitation_accept(
        invitation=invitation, name="Siri Senior", password="et-langt-passord-2026"
    )
    relative = relative_with_consent(home.dept_a)
    message, _created = sms_services.sms_queue(
        organization_id=home.organization.pk,
        to_phone=relative.phone,
        body="Besøket i dag gikk fint.",
        purpose="visit_summary_sms",
        audience=SmsAudience.RELATIVE,
        relative_id=relative.pk,
        idempotency_key="summary:1",
        created_by=leader.user,
    )

    html = log(client_for(home.admin))
    said = "\n".join(lines(html))
    name = leader.user.name
    assert (
        f"{name} avlyste besøket hos Ingrid Østby onsdag 11. mar kl. 10.00 (avlyst av kunden)"
        in said
    )
    assert f"{home.admin.user.name} inviterte siri@test.example som senior" in said
    assert "Siri Senior godtok invitasjonen til siri@test.example og er med som senior" in said
    assert f"{name} sendte SMS {message.pk} (oppsummering etter besøk) til pårørende — i kø" in said
    # No developer codes in the table, and never the cancel reason (it may be about health).
    body = table(html)
    for code in ("visit.cancelled", "invitation.accepted", "sms.queued", "visit_summary_sms"):
        assert code not in body
    assert "syk" not in said


def test_names_in_details_are_fetched_once_for_a_whole_page(world, client_for):
    home = world.home
    recipient = CareRecipientFactory(department=home.dept_a, name="Ola Berg")

    def reassign(n: int) -> None:
        for i in range(n):
            visit = VisitFactory(
                recipient=recipient,
                senior=home.senior_a,
                starts_at=datetime(2026, 3, 12, 9, 0, tzinfo=OSLO) + timedelta(hours=i),
            )
            visit_reassign(visit=visit, by=home.leader_a, senior=home.senior_a2)

    clear_for_assignment(home.senior_a2)
    admin = client_for(home.admin)
    reassign(2)
    with CaptureQueriesContext(connection) as few:
        html = log(admin)
    assert (
        f"ga besøket hos Ola Berg torsdag 12. mar kl. 09.00 til {home.senior_a2.user.name} "
        f"(før: {home.senior_a.user.name})" in "\n".join(lines(html))
    )
    reassign(20)
    with CaptureQueriesContext(connection) as many:
        log(admin)
    assert len(many) == len(few)


# --- Filters -------------------------------------------------------------------------------


def test_it_filters_by_person(world, client_for):
    home = world.home
    department_event(home, home.dept_a, actor=home.leader_a.user)
    department_event(home, home.dept_b, actor=home.lead.user)
    html = log(client_for(home.admin), person=home.leader_a.user.pk)
    said = "\n".join(lines(html))
    assert f"{home.leader_a.user.name} endret navn eller e-post for avdelingen" in said
    assert home.lead.user.name not in said


def test_it_filters_by_a_kind_or_a_single_kind_of_event(world, client_for):
    home = world.home
    recipient = CareRecipientFactory(department=home.dept_a, name="Kåre Lie")
    visit = VisitFactory(recipient=recipient, senior=home.senior_a)
    visit_cancel(visit=visit, by=home.leader_a, kind="senior", reason="Forkjølet")
    department_event(home, home.dept_a, actor=home.admin.user)
    admin = client_for(home.admin)

    visits = "\n".join(lines(log(admin, slag="besok")))
    assert "avlyste besøket hos Kåre Lie" in visits
    assert "avdelingen" not in visits

    one = "\n".join(lines(log(admin, slag="department.updated")))
    assert "avdelingen Hjemme A" in one
    assert "Kåre Lie" not in one

    page = log(admin)
    assert '<optgroup label="Besøk">' in page
    assert '<option value="besok">Alle: Besøk</option>' in page
    assert '<option value="visit.cancelled">Besøk avlyst</option>' in page


def test_the_date_range_takes_oslo_days(world, client_for, clock):
    home = world.home
    # 23:30 on 9 March in Oslo and 00:30 on 10 March in Oslo: both 9 March in UTC.
    clock.move_to(datetime(2026, 3, 9, 22, 30, tzinfo=UTC))
    department_event(home, home.dept_b)
    clock.move_to(datetime(2026, 3, 9, 23, 30, tzinfo=UTC))
    department_event(home, home.dept_a)
    clock.move_to(MOMENT)
    admin = client_for(home.admin)

    tenth = "\n".join(lines(log(admin, fra="2026-03-10", til="2026-03-10")))
    assert "10.3.2026 00:30" in tenth
    assert "avdelingen Hjemme A" in tenth
    assert "Hjemme B" not in tenth

    ninth = "\n".join(lines(log(admin, til="2026-03-09")))
    assert "9.3.2026 23:30" in ninth
    assert "Hjemme A" not in ninth

    assert "Hjemme B" not in "\n".join(lines(log(admin, fra="2026-03-10")))


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"person": "abc"}, "Personen finnes ikke i organisasjonen"),
        ({"person": "9" * 30}, "Personen finnes ikke i organisasjonen"),
        ({"slag": "finnes.ikke"}, "Vi kjenner ikke igjen slaget av hendelse"),
        ({"fra": "2026-13-45"}, "«Fra dato» er ikke en gyldig dato"),
        ({"til": "0001-01-01"}, "«Til dato» er ikke en gyldig dato"),
        ({"fra": "2026-03-11", "til": "2026-03-01"}, "Fra-datoen er etter til-datoen"),
        ({"q": "x" * 500}, "Søket er for langt"),
        ({"q": "a\x00b"}, "Søket er for langt eller har tegn som ikke kan brukes"),
    ],
)
def test_bad_filters_are_left_out_with_a_norwegian_notice(world, client_for, params, notice):
    home = world.home
    department_event(home, home.dept_a)
    for tab in ({}, {"vis": "innsyn"}):
        response = client_for(home.admin).get(LOG, {**tab, **params, "side": "x"})
        assert response.status_code == 200
        html = response.content.decode()
        assert notice in html
    assert "avdelingen Hjemme A" in "\n".join(lines(log(client_for(home.admin), **params)))


def test_page_links_keep_the_filters(world, client_for):
    home = world.home
    for _i in range(51):
        department_event(home, home.dept_a, actor=home.leader_a.user)
    html = log(client_for(home.admin), slag="innstillinger", person=home.leader_a.user.pk)
    assert len(lines(html)) == 50
    link = re.search(r'href="\?([^"]*side=2)"', html)
    assert link is not None
    assert "slag=innstillinger" in link[1]
    assert f"person={home.leader_a.user.pk}" in link[1]
    assert len(lines(log(client_for(home.admin), slag="innstillinger", side=2))) == 1


# --- The wall and the roles ----------------------------------------------------------------


def test_another_organizations_events_and_people_never_show(world, client_for):
    home, other = world.home, world.other
    department_event(home, home.dept_a, actor=home.leader_a.user)
    department_event(other, other.dept_a, actor=other.leader_a.user)
    view_record(
        organization=other.organization, viewer=other.lead.user, obj=other.dept_a, what="kort"
    )
    admin = client_for(home.admin)
    html = log(admin)
    assert other.leader_a.user.name not in html  # neither in the log nor the person list
    assert other.dept_a.name not in html

    foreign = log(admin, person=other.leader_a.user.pk)
    assert lines(foreign) == []
    assert "Personen finnes ikke i organisasjonen" in foreign
    looks = log(admin, vis="innsyn", person=other.lead.user.pk)
    assert lines(looks) == []
    assert other.lead.user.name not in looks


@pytest.mark.parametrize("who", ["lead", "leader_a", "senior_a"])
def test_only_the_admin_reads_the_log(world, client_for, who):
    department_event(world.home, world.home.dept_a)
    response = client_for(getattr(world.home, who)).get(LOG)
    assert response.status_code == 403
    assert "avdelingen" not in response.content.decode()


# --- Looks grouped per person, object and Oslo day -------------------------------------------


def look(clock, cast, who, obj, at: datetime, what: str = "brukerkort") -> None:
    clock.move_to(at)
    view_record(organization=cast.organization, viewer=who.user, obj=obj, what=what)


def test_fourteen_looks_in_a_day_are_one_line_and_days_and_people_are_apart(
    world, client_for, clock
):
    home = world.home
    recipient = CareRecipientFactory(department=home.dept_a, name="Ingrid Østby")
    start = datetime(2026, 3, 2, 9, 3, tzinfo=OSLO)
    for i in range(14):
        look(clock, home, home.leader_a, recipient, start + timedelta(minutes=30 * i))
    look(clock, home, home.leader_a, recipient, datetime(2026, 3, 3, 8, 0, tzinfo=OSLO))
    look(clock, home, home.lead, recipient, datetime(2026, 3, 2, 10, 0, tzinfo=OSLO))
    clock.move_to(MOMENT)

    rows = lines(log(client_for(home.admin), vis="innsyn"))
    leader, lead = home.leader_a.user.name, home.lead.user.name
    assert rows == [
        f"{leader}, 1 gang 3. mar (kl. 08.00) brukerkort Ingrid Østby",
        f"{leader}, 14 ganger 2. mar (kl. 09.03–15.33) brukerkort Ingrid Østby",
        f"{lead}, 1 gang 2. mar (kl. 10.00) brukerkort Ingrid Østby",
    ]


def test_a_look_after_midnight_in_oslo_counts_on_the_oslo_day(world, client_for, clock):
    home = world.home
    recipient = CareRecipientFactory(department=home.dept_a, name="Per Ås")
    look(clock, home, home.lead, recipient, datetime(2026, 3, 4, 23, 50, tzinfo=OSLO))
    look(clock, home, home.lead, recipient, datetime(2026, 3, 5, 0, 10, tzinfo=OSLO))
    clock.move_to(MOMENT)
    rows = lines(log(client_for(home.admin), vis="innsyn", fra="2026-03-05"))
    assert rows == [f"{home.lead.user.name}, 1 gang 5. mar (kl. 00.10) brukerkort Per Ås"]


def test_the_view_log_counts_in_the_database_and_pages(world, client_for, clock):
    home = world.home
    admin = client_for(home.admin)
    first = CareRecipientFactory(department=home.dept_a)
    look(clock, home, home.lead, first, datetime(2026, 3, 1, 9, 0, tzinfo=OSLO))
    clock.move_to(MOMENT)
    with CaptureQueriesContext(connection) as few:
        log(admin, vis="innsyn")
    for day in range(55):
        when = datetime(2026, 1, 1, 9, 0, tzinfo=OSLO) + timedelta(days=day)
        for _again in range(3):
            look(clock, home, home.leader_a, first, when)
    clock.move_to(MOMENT)
    with CaptureQueriesContext(connection) as many:
        html = log(admin, vis="innsyn")
    assert len(many) == len(few)
    assert len(lines(html)) == 50
    assert "vis=innsyn" in re.search(r'href="\?([^"]*side=2)"', html)[1]


def test_the_card_lists_who_has_looked_grouped(world, client_for, clock):
    home = world.home
    recipient = CareRecipientFactory(department=home.dept_a, name="Ingrid Østby")
    for i in range(14):
        look(
            clock,
            home,
            home.lead,
            recipient,
            datetime(2026, 3, 2, 9, 0, tzinfo=OSLO) + timedelta(minutes=10 * i),
        )
    clock.move_to(MOMENT)
    html = client_for(home.leader_a).get(f"/brukere/{recipient.pk}/").content.decode()
    section = html.split("Hvem har sett kortet")[1].split("</section>")[0]
    items = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", li)).strip()
        for li in re.findall(r"<li>(.*?)</li>", section, flags=re.S)
    ]
    assert items == [
        f"{home.leader_a.user.name}, 1 gang 10. mar (kl. 12.00) · brukerkort",
        f"{home.lead.user.name}, 14 ganger 2. mar (kl. 09.00–11.10) · brukerkort",
    ]


def test_the_card_pages_who_has_looked(world, client_for, clock):
    home = world.home
    recipient = CareRecipientFactory(department=home.dept_a)
    for day in range(25):
        when = datetime(2026, 1, 1, 9, 0, tzinfo=OSLO) + timedelta(days=day)
        look(clock, home, home.lead, recipient, when)
    clock.move_to(MOMENT)
    leader = client_for(home.leader_a)
    first = leader.get(f"/brukere/{recipient.pk}/").content.decode()
    section = first.split("Hvem har sett kortet")[1].split("</section>")[0]
    assert section.count("<li>") == 20
    assert "?innsyn_side=2#h-views" in section
    second = leader.get(f"/brukere/{recipient.pk}/", {"innsyn_side": 2}).content.decode()
    section = second.split("Hvem har sett kortet")[1].split("</section>")[0]
    # 26 lines in all: 25 days of the lead's, and the leader's own looks today (one line).
    assert section.count("<li>") == 6
    assert "1. jan" in section
