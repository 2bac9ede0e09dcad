"""Seniorposten: the department leader writes the monthly letter, previews it, sends it once
per senior (e-mail; SMS with the senior's own consent), and seniors read it on the phone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from seniorene.audit.models import AuditEvent
from seniorene.jobs.models import ClaimStatus, JobClaim
from tests.training.helpers import make_meeting, make_posten
from training import tasks
from training.models import PostenStatus, Seniorposten
from training.posten_selectors import linkify
from training.posten_services import posten_save

OSLO = ZoneInfo("Europe/Oslo")
MARCH_2ND = dt.datetime(2026, 3, 2, 10, 0, tzinfo=OSLO)

pytestmark = pytest.mark.usefixtures("_in_march")


@pytest.fixture
def _in_march():
    with time_machine.travel(MARCH_2ND, tick=False):
        yield


@pytest.fixture
def leader(world, client_for):
    return client_for(world.home.leader_a)


def write(leader, world, **overrides):
    data = {
        "department": world.home.dept_a.pk,
        "month": "2026-03",
        "title": "",
        "body": "Hei alle!\n\n- Husk notatboka\n\nLes mer på https://www.seniorene.no/ansattside.",
    }
    data.update(overrides)
    return leader.post(reverse("training:posten_create"), data)


@pytest.fixture
def draft(world, leader):
    response = write(leader, world)
    assert response.status_code == 302
    return Seniorposten.objects.get(department=world.home.dept_a)


def send(leader, issue, capture):
    with capture(execute=True):
        return leader.post(reverse("training:posten_send", args=[issue.pk]))


def test_the_leader_writes_a_draft_with_the_month_s_default_title(world, draft):
    assert draft.status == PostenStatus.DRAFT
    assert draft.title == "Seniorposten mars 2026"
    assert (draft.year, draft.month, draft.written_by) == (2026, 3, world.home.leader_a)
    assert AuditEvent.objects.filter(action="training.seniorposten_created").count() == 1


def test_the_preview_shows_the_letter_with_the_month_s_team_meeting(world, leader, draft):
    make_meeting(world.home.organization, dt.datetime(2026, 3, 12, 18, 0, tzinfo=OSLO))
    html = leader.get(reverse("training:posten_preview", args=[draft.pk])).content.decode()
    assert '<h1 id="h-posten">Seniorposten mars 2026</h1>' in html
    assert "<li>Husk notatboka</li>" in html
    assert (
        '<a href="https://www.seniorene.no/ansattside" rel="noopener noreferrer">'
        "https://www.seniorene.no/ansattside</a>." in html
    )
    assert "torsdag 12. mars kl. 18.00" in html
    assert 'href="https://teams.example/mote"' in html
    assert "Send til seniorene" in html
    assert "2 aktive seniorer" in html


def test_once_the_meeting_is_held_the_letter_says_so_instead_of_a_join_button(world, leader, draft):
    make_meeting(world.home.organization, dt.datetime(2026, 3, 12, 18, 0, tzinfo=OSLO))
    url = reverse("training:posten_preview", args=[draft.pk])
    with time_machine.travel(dt.datetime(2026, 3, 12, 19, 30, tzinfo=OSLO), tick=False):
        during = leader.get(url).content.decode()
    with time_machine.travel(dt.datetime(2026, 3, 12, 20, 30, tzinfo=OSLO), tick=False):
        after = leader.get(url).content.decode()
    assert "Bli med på teamsmøtet" in during
    assert "Møtet er holdt." not in during
    assert "Bli med på teamsmøtet" not in after
    assert 'href="https://teams.example/mote"' not in after
    assert "Møtet er holdt." in after


def test_without_a_team_meeting_the_preview_says_so(world, leader, draft):
    html = leader.get(reverse("training:posten_preview", args=[draft.pk])).content.decode()
    assert "ikke lagt inn noe teamsmøte" in html


def test_sending_reaches_each_senior_of_the_department_once_under_reruns(
    world, leader, draft, django_capture_on_commit_callbacks
):
    from messaging.models import SmsMessage
    from messaging.services import staff_sms_consent_give

    make_meeting(world.home.organization, dt.datetime(2026, 3, 12, 18, 0, tzinfo=OSLO))
    home = world.home
    for n, senior in enumerate((home.senior_a, home.senior_a2, home.senior_b)):
        senior.user.phone = f"+479123456{n}"
        senior.user.save(update_fields=["phone"])
    staff_sms_consent_give(membership=home.senior_a, by=home.senior_a.user)  # senior_a2: no
    staff_sms_consent_give(membership=home.senior_b, by=home.senior_b.user)  # another dept.

    assert send(leader, draft, django_capture_on_commit_callbacks).status_code == 302
    send(leader, draft, django_capture_on_commit_callbacks)  # a double click
    tasks.deliver_seniorposten(home.organization.pk, draft.pk)  # a rerun of the task

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [home.senior_a.user.email, home.senior_a2.user.email]
    )
    letter = mail.outbox[0]
    assert letter.subject == "Seniorposten mars 2026"
    assert "https://www.seniorene.no/ansattside" in letter.body
    assert "https://teams.example/mote" in letter.body
    assert f"/seniorposten/{draft.pk}/" in letter.body
    sms = SmsMessage.objects.get()
    assert sms.membership == home.senior_a
    assert sms.body.startswith("Seniorposten for mars 2026 er her: ")
    assert f"/seniorposten/{draft.pk}/" in sms.body
    claims = JobClaim.objects.filter(key__startswith=f"seniorposten:{draft.pk}:")
    assert claims.count() == 2
    assert set(claims.values_list("status", flat=True)) == {ClaimStatus.SENT}
    assert AuditEvent.objects.filter(action="training.seniorposten_sent").count() == 1
    draft.refresh_from_db()
    assert draft.status == PostenStatus.SENT
    assert draft.meeting_link == "https://teams.example/mote"


def test_a_senior_who_joins_later_gets_it_on_the_next_run_and_nobody_twice(
    world, leader, draft, django_capture_on_commit_callbacks
):
    from tests.factories import MembershipFactory

    send(leader, draft, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    newcomer = MembershipFactory(
        organization=world.home.organization, role="senior", departments=[world.home.dept_a]
    )
    assert tasks.deliver_seniorposten(world.home.organization.pk, draft.pk) == 1
    assert [m.to[0] for m in mail.outbox[2:]] == [newcomer.user.email]


def test_the_list_counts_e_mails_and_sms_sent(
    world, leader, draft, django_capture_on_commit_callbacks
):
    send(leader, draft, django_capture_on_commit_callbacks)
    html = leader.get(reverse("training:posten_manage")).content.decode()
    assert "Seniorposten mars 2026" in html
    assert '<td class="num">2</td>' in html


def test_a_sent_letter_is_read_only(world, leader, draft, django_capture_on_commit_callbacks):
    send(leader, draft, django_capture_on_commit_callbacks)
    response = leader.get(reverse("training:posten_edit", args=[draft.pk]))
    assert response.status_code == 302
    assert response.url == reverse("training:posten_preview", args=[draft.pk])
    leader.post(reverse("training:posten_edit", args=[draft.pk]), {"body": "Ny tekst"})
    draft.refresh_from_db()
    assert "Ny tekst" not in draft.body
    with pytest.raises(ValidationError):
        posten_save(
            by=world.home.leader_a,
            issue=draft,
            department=world.home.dept_a,
            year=2026,
            month=3,
            title="",
            body="Ny tekst",
        )


def test_a_draft_can_be_changed_until_sent(world, leader, draft):
    response = leader.post(
        reverse("training:posten_edit", args=[draft.pk]),
        {"department": world.home.dept_a.pk, "month": "2026-03", "title": "Vår", "body": "Ny"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.body) == ("Vår", "Ny")


def test_one_letter_per_department_and_month(world, leader, draft):
    response = write(leader, world)
    assert response.status_code == 200
    assert "har allerede en Seniorposten for mars 2026" in response.content.decode()
    assert Seniorposten.objects.count() == 1


def test_a_leader_cannot_write_for_another_department(world, leader):
    response = write(leader, world, department=world.home.dept_b.pk)
    assert response.status_code == 200
    assert not Seniorposten.objects.exists()


def test_the_lead_writes_for_any_department(world, client_for):
    lead = client_for(world.home.lead)
    assert write(lead, world, department=world.home.dept_b.pk).status_code == 302
    assert Seniorposten.objects.get().department == world.home.dept_b


# --- Safety of the text --------------------------------------------------------------------


def test_the_text_is_escaped_and_only_http_addresses_become_links():
    html = linkify(
        "<script>alert(1)</script> javascript:alert(1) www.x.no "
        'https://x.no/a?b=1&c=2. (se https://x.no/Bergen_(by)) https://x.no/"><img src=x>'
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<img" not in html
    assert html.count("<a ") == 3
    assert '<a href="https://x.no/a?b=1&amp;c=2" rel="noopener noreferrer">' in html
    assert "</a>. (se " in html
    assert 'href="https://x.no/Bergen_(by)"' in html
    assert 'href="javascript' not in html
    assert 'href="www' not in html


def test_markup_written_in_the_letter_reaches_the_senior_as_text(
    world, leader, client_for, django_capture_on_commit_callbacks
):
    write(leader, world, body='<b onmouseover="x()">Hei</b> https://a.no/<i>')
    issue = Seniorposten.objects.get()
    send(leader, issue, django_capture_on_commit_callbacks)
    html = (
        client_for(world.home.senior_a)
        .get(reverse("training:posten_issue", args=[issue.pk]))
        .content.decode()
    )
    assert "&lt;b onmouseover=&quot;x()&quot;&gt;Hei&lt;/b&gt;" in html
    assert '<a href="https://a.no/" rel="noopener noreferrer">https://a.no/</a>&lt;i&gt;' in html


# --- The senior reads ---------------------------------------------------------------------


def test_the_senior_reads_this_and_earlier_months_of_their_own_department(world, client_for):
    home = world.home
    march = make_posten(
        home.dept_a, home.leader_a, sent=True, year=2026, month=3, title="Seniorposten mars 2026"
    )
    february = make_posten(
        home.dept_a, home.leader_a, sent=True, year=2026, month=2, title="Seniorposten februar 2026"
    )
    draft = make_posten(home.dept_a, home.leader_a, year=2026, month=4, title="Utkast april")
    other = make_posten(
        home.dept_b, home.leader_b, sent=True, year=2026, month=3, title="Borte mars"
    )
    senior = client_for(home.senior_a)
    html = senior.get(reverse("training:posten_mine")).content.decode()
    assert html.index("Seniorposten mars 2026") < html.index("Seniorposten februar 2026")
    assert "Utkast april" not in html
    assert "Borte mars" not in html
    for issue in (march, february):
        assert senior.get(reverse("training:posten_issue", args=[issue.pk])).status_code == 200
    for issue in (draft, other):
        assert senior.get(reverse("training:posten_issue", args=[issue.pk])).status_code == 404


def test_the_agenda_leads_to_the_newest_letter(world, client_for):
    home = world.home
    march = make_posten(home.dept_a, home.leader_a, sent=True, year=2026, month=3)
    make_posten(home.dept_a, home.leader_a, year=2026, month=4)  # a draft: not shown
    html = client_for(home.senior_a).get(reverse("visits:agenda")).content.decode()
    assert f'href="{reverse("training:posten_issue", args=[march.pk])}"' in html
    assert "Seniorposten for mars 2026" in html
    other = client_for(home.senior_b).get(reverse("visits:agenda")).content.decode()
    assert "Seniorposten for" not in other


@pytest.mark.parametrize(
    ("persona", "name", "status"),
    [
        ("senior_a", "training:posten_manage", 403),
        ("senior_a", "training:posten_create", 403),
        ("leader_a", "training:posten_mine", 403),
        ("admin", "training:posten_manage", 200),
        ("lead", "training:posten_create", 200),
        ("senior_a", "training:posten_mine", 200),
    ],
)
def test_who_may_use_the_pages(world, client_for, persona, name, status):
    client = client_for(world.home.persona(persona))
    assert client.get(reverse(name)).status_code == status


def test_a_leader_of_another_department_finds_no_letter(world, client_for):
    issue = make_posten(world.home.dept_a, world.home.leader_a)
    other = client_for(world.home.leader_b)
    for name in ("training:posten_edit", "training:posten_preview"):
        assert other.get(reverse(name, args=[issue.pk])).status_code == 404
    assert other.post(reverse("training:posten_send", args=[issue.pk])).status_code == 404
    issue.refresh_from_db()
    assert issue.status == PostenStatus.DRAFT
