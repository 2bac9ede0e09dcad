"""The monthly team meeting: the lead sets it, a job sends the link once per person and month."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from seniorene.accounts.models import Role
from seniorene.audit.models import AuditEvent
from seniorene.jobs.models import ClaimStatus, JobClaim
from tests.factories import MembershipFactory
from tests.training.mail_backends import RefusingBackend
from training import tasks
from training.models import TeamMeeting, TeamMeetingInvite

OSLO = ZoneInfo("Europe/Oslo")
START_OF_MARCH = dt.datetime(2026, 3, 1, 8, 0, tzinfo=OSLO)


@pytest.fixture
def lead(world, client_for):
    return client_for(world.home.lead)


@pytest.fixture
def meeting(world, lead):
    """The home organization's March meeting, set by the lead through the page."""
    with time_machine.travel(dt.datetime(2026, 2, 20, 12, 0, tzinfo=OSLO), tick=False):
        response = lead.post(
            reverse("training:meetings"),
            {
                "date": "2026-03-12",
                "time": "18:00",
                "link": "https://teams.example/mars",
                "note": "Vi snakker om kognitiv trening.",
            },
        )
    assert response.status_code == 302
    return TeamMeeting.objects.get(organization=world.home.organization)


def seniors_of(cast):
    return {cast.senior_a, cast.senior_a2, cast.senior_b}


def test_the_lead_sets_the_month_s_meeting(world, meeting):
    assert (meeting.year, meeting.month) == (2026, 3)
    assert meeting.starts_at == dt.datetime(2026, 3, 12, 17, 0, tzinfo=dt.UTC)
    assert meeting.link == "https://teams.example/mars"
    assert AuditEvent.objects.filter(action="training.team_meeting_created").count() == 1


@time_machine.travel(START_OF_MARCH, tick=False)
def test_the_job_sends_exactly_once_per_person_and_month_across_two_runs(world, meeting):
    assert tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3) == 3
    assert tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3) == 0
    tasks.send_team_meeting_invites_all()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        s.user.email for s in seniors_of(world.home)
    )
    invites = TeamMeetingInvite.objects.filter(meeting=meeting)
    assert invites.count() == 3
    assert not invites.filter(sent_at__isnull=True).exists()
    claims = JobClaim.objects.filter(key__in=[f"team-meeting:{i.pk}" for i in invites])
    assert set(claims.values_list("status", flat=True)) == {ClaimStatus.SENT}
    assert AuditEvent.objects.filter(action="training.team_meeting_invites_sent").count() == 1


@time_machine.travel(START_OF_MARCH, tick=False)
def test_the_mail_has_the_link_and_the_time_in_norwegian(world, meeting):
    tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3)
    message = next(m for m in mail.outbox if m.to == [world.home.senior_a.user.email])
    assert message.subject == f"Teamsmøte mars 2026 – {world.home.organization.name}"
    assert "torsdag 12. mars 2026 kl. 18.00" in message.body
    assert "https://teams.example/mars" in message.body
    assert "Vi snakker om kognitiv trening." in message.body
    assert f"Hei {world.home.senior_a.user.get_short_name()}" in message.body


@time_machine.travel(START_OF_MARCH, tick=False)
def test_only_active_seniors_of_the_organization_get_it(world, meeting):
    world.home.senior_b.is_active = False
    world.home.senior_b.save(update_fields=["is_active"])
    tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3)
    recipients = {m.to[0] for m in mail.outbox}
    assert recipients == {world.home.senior_a.user.email, world.home.senior_a2.user.email}
    for who in ("admin", "lead", "leader_a"):
        assert world.home.persona(who).user.email not in recipients
    assert not {s.user.email for s in seniors_of(world.other)} & recipients


def test_a_senior_who_joins_later_in_the_month_gets_it_on_the_next_run(world, meeting):
    with time_machine.travel(START_OF_MARCH, tick=False):
        tasks.send_team_meeting_invites_all()
    newcomer = MembershipFactory(
        organization=world.home.organization, role=Role.SENIOR, departments=[world.home.dept_a]
    )
    with time_machine.travel(dt.datetime(2026, 3, 5, 8, 0, tzinfo=OSLO), tick=False):
        tasks.send_team_meeting_invites_all()
    assert [m.to[0] for m in mail.outbox].count(newcomer.user.email) == 1
    assert len(mail.outbox) == 4


def test_nothing_is_sent_for_a_meeting_that_has_started(world, meeting):
    with time_machine.travel(dt.datetime(2026, 3, 12, 18, 30, tzinfo=OSLO), tick=False):
        assert tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3) == 0
    assert mail.outbox == []


@time_machine.travel(START_OF_MARCH, tick=False)
def test_a_month_without_a_meeting_sends_nothing(world):
    tasks.send_team_meeting_invites_all()
    assert mail.outbox == []
    assert not TeamMeetingInvite.objects.exists()


@time_machine.travel(START_OF_MARCH, tick=False)
def test_an_invite_another_worker_has_claimed_is_not_sent_again(world, meeting):
    invite = TeamMeetingInvite.objects.create(
        organization=world.home.organization, meeting=meeting, membership=world.home.senior_a
    )
    JobClaim.objects.create(
        organization=world.home.organization,
        key=f"team-meeting:{invite.pk}",
        status=ClaimStatus.SENDING,
    )
    tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3)
    assert world.home.senior_a.user.email not in {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) == 2


@time_machine.travel(START_OF_MARCH, tick=False)
def test_a_refused_mail_is_tried_again_on_the_next_run_and_then_given_up(world, meeting, settings):
    settings.EMAIL_BACKEND = "tests.training.mail_backends.RefusingBackend"
    address = world.home.senior_a.user.email
    RefusingBackend.refuse = {address}
    try:
        for _ in range(3):
            tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3)
    finally:
        RefusingBackend.refuse = set()
    invite = TeamMeetingInvite.objects.get(membership=world.home.senior_a)
    claim = JobClaim.objects.get(key=f"team-meeting:{invite.pk}")
    assert (claim.status, claim.attempts, invite.sent_at) == (ClaimStatus.FAILED, 3, None)
    assert "Connection unexpectedly closed" in claim.error
    assert len(mail.outbox) == 2  # the other two, once each
    tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3)
    assert len(mail.outbox) == 2


@time_machine.travel(START_OF_MARCH, tick=False)
def test_a_refused_mail_that_gets_through_later_is_sent_once(world, meeting, settings):
    settings.EMAIL_BACKEND = "tests.training.mail_backends.RefusingBackend"
    RefusingBackend.refuse = {world.home.senior_a.user.email}
    try:
        tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3)
    finally:
        RefusingBackend.refuse = set()
    invite = TeamMeetingInvite.objects.get(membership=world.home.senior_a)
    assert JobClaim.objects.get(key=f"team-meeting:{invite.pk}").status == ClaimStatus.QUEUED
    tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3)
    tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3)
    assert [m.to[0] for m in mail.outbox].count(world.home.senior_a.user.email) == 1


def test_a_second_meeting_in_the_same_month_is_refused(world, meeting, lead):
    response = lead.post(
        reverse("training:meetings"),
        {"date": "2026-03-26", "time": "18:00", "link": "https://teams.example/2"},
    )
    assert response.status_code == 200
    assert "Det finnes allerede et teamsmøte i mars 2026." in response.content.decode()
    assert TeamMeeting.objects.count() == 1


def test_a_meeting_whose_link_went_out_cannot_move_to_another_month(world, meeting, lead):
    with time_machine.travel(START_OF_MARCH, tick=False):
        tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3)
    client = lead
    url = reverse("training:meeting_edit", args=[meeting.pk])
    assert "Lenken er allerede sendt til 3 seniorer." in client.get(url).content.decode()
    response = client.post(
        url, {"date": "2026-04-02", "time": "18:00", "link": "https://teams.example/mars"}
    )
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.month == 3
    response = client.post(
        url, {"date": "2026-03-13", "time": "17:30", "link": "https://teams.example/mars"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.starts_at == dt.datetime(2026, 3, 13, 17, 30, tzinfo=OSLO)


def test_the_lead_sees_how_many_got_the_link(world, meeting, lead):
    with time_machine.travel(START_OF_MARCH, tick=False):
        tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3)
    html = lead.get(reverse("training:meetings")).content.decode()
    assert "torsdag 12. mars 2026 kl. 18.00" in html
    assert '<td class="num">3</td>' in html


@time_machine.travel(START_OF_MARCH, tick=False)
def test_seniors_who_consented_also_get_one_sms_across_two_runs(
    world, meeting, django_capture_on_commit_callbacks
):
    from messaging.models import SmsMessage
    from messaging.services import staff_sms_consent_give

    consenting = world.home.senior_a
    consenting.user.phone = "+4791234567"
    consenting.user.save(update_fields=["phone"])
    world.home.senior_a2.user.phone = "+4791234568"  # has a phone, but no consent
    world.home.senior_a2.user.save(update_fields=["phone"])
    staff_sms_consent_give(membership=consenting, by=consenting.user)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3)
        tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3)
    sms = SmsMessage.objects.get()
    assert sms.membership == consenting
    assert sms.purpose == "team_meeting"
    assert "https://teams.example/mars" in sms.body


# --- Why nothing was sent, and each person's invitation ------------------------------


def _page(lead, meeting):
    return lead.get(reverse("training:meeting_edit", args=[meeting.pk])).content.decode()


def test_before_the_sending_time_the_page_says_when_it_goes(world, meeting, lead):
    with time_machine.travel(dt.datetime(2026, 2, 25, 12, 0, tzinfo=OSLO), tick=False):
        listing = lead.get(reverse("training:meetings")).content.decode()
        page = _page(lead, meeting)
    expected = "Ikke tid ennå: lenken sendes søndag 1. mars kl. 08.00 til 3 seniorer."
    assert expected in listing
    assert expected in page


def test_a_meeting_set_after_the_last_morning_run_says_so(world, lead):
    with time_machine.travel(dt.datetime(2026, 3, 12, 10, 0, tzinfo=OSLO), tick=False):
        lead.post(
            reverse("training:meetings"),
            {"date": "2026-03-12", "time": "18:00", "link": "https://teams.example/sent"},
        )
    with time_machine.travel(dt.datetime(2026, 3, 20, 12, 0, tzinfo=OSLO), tick=False):
        html = lead.get(reverse("training:meetings")).content.decode()
    assert "Møtet ble lagt inn torsdag 12. mars kl. 10.00, etter den siste utsendingen" in html


def test_a_job_that_never_ran_is_named(world, meeting, lead):
    with time_machine.travel(dt.datetime(2026, 3, 5, 12, 0, tzinfo=OSLO), tick=False):
        html = _page(lead, meeting)
    assert "skulle ha sendt lenken søndag 1. mars kl. 08.00, men har ikke kjørt" in html


def test_no_active_seniors_is_the_reason(world, meeting, lead):
    for senior in seniors_of(world.home):
        senior.is_active = False
        senior.save(update_fields=["is_active"])
    with time_machine.travel(dt.datetime(2026, 3, 5, 12, 0, tzinfo=OSLO), tick=False):
        html = _page(lead, meeting)
    assert "ingen aktive seniorer" in html


def test_each_person_s_invitation_and_the_sms_gaps(
    world, meeting, lead, django_capture_on_commit_callbacks
):
    from messaging.services import staff_sms_consent_give

    a, a2, b = world.home.senior_a, world.home.senior_a2, world.home.senior_b
    for member, phone in ((a, "+4791234567"), (a2, "+4791234568"), (b, "")):
        member.user.phone = phone
        member.user.save(update_fields=["phone"])
    with time_machine.travel(START_OF_MARCH, tick=False):
        staff_sms_consent_give(membership=a, by=a.user)
        assert "Ikke invitert ennå" in _page(lead, meeting)
        with django_capture_on_commit_callbacks(execute=True):
            tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3)
        html = _page(lead, meeting)
        listing = lead.get(reverse("training:meetings")).content.decode()
    assert "Hvorfor ingen er sendt" not in html
    assert "Hvorfor ingen er sendt" not in listing
    assert html.count("Sendt søndag 1. mars kl. 08.00") == 3
    assert "Ikke samtykke til SMS" in html
    assert "Mangler mobilnummer" in html
    assert "Av 3 seniorer har 2 ikke gitt samtykke til SMS og 1 mangler mobilnummer" in html


# --- Send now --------------------------------------------------------------------------


def test_send_now_sends_once_under_a_second_press(world, meeting, lead):
    url = reverse("training:meeting_send_now", args=[meeting.pk])
    with time_machine.travel(dt.datetime(2026, 2, 25, 12, 0, tzinfo=OSLO), tick=False):
        assert "Send nå" in _page(lead, meeting)
        first = lead.post(url, follow=True).content.decode()
        second = lead.post(url, follow=True).content.decode()
    assert "Invitasjonen er sendt til 3 seniorer." in first
    assert "Alle seniorene har allerede fått invitasjonen." in second
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        s.user.email for s in seniors_of(world.home)
    )
    assert AuditEvent.objects.filter(action="training.team_meeting_sent_now").count() == 2
    with time_machine.travel(START_OF_MARCH, tick=False):
        assert tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3) == 0
    assert len(mail.outbox) == 3


def test_send_now_is_refused_once_the_meeting_has_started(world, meeting, lead):
    url = reverse("training:meeting_send_now", args=[meeting.pk])
    with time_machine.travel(dt.datetime(2026, 3, 12, 18, 30, tzinfo=OSLO), tick=False):
        assert "Send nå" not in _page(lead, meeting)
        html = lead.post(url, follow=True).content.decode()
    assert "Møtet har begynt, så lenken sendes ikke ut." in html
    assert mail.outbox == []


def test_only_the_lead_may_send_now(world, meeting, client_for):
    url = reverse("training:meeting_send_now", args=[meeting.pk])
    for who in (world.home.admin, world.home.leader_a, world.home.senior_a):
        with time_machine.travel(dt.datetime(2026, 2, 25, 12, 0, tzinfo=OSLO), tick=False):
            assert client_for(who).post(url).status_code in (403, 404)
    assert mail.outbox == []


# --- Attendance and minutes ---------------------------------------------------------------


def test_after_the_meeting_the_lead_ticks_who_came_and_writes_minutes(world, meeting, lead):
    with time_machine.travel(START_OF_MARCH, tick=False):
        tasks.send_team_meeting_invites(world.home.organization.pk, 2026, 3)
    url = reverse("training:meeting_attendance", args=[meeting.pk])
    came = world.home.senior_a
    with time_machine.travel(dt.datetime(2026, 3, 12, 19, 30, tzinfo=OSLO), tick=False):
        html = lead.post(
            url,
            {
                "attended": [str(came.pk), "999999", "x", "²", "99999999999999999999"],
                "minutes": "Vi gikk gjennom <b>rutiner</b>.",
            },
            follow=True,
        ).content.decode()
    assert "Oppmøte og referat er lagret." in html
    assert "Vi gikk gjennom &lt;b&gt;rutiner&lt;/b&gt;." in html
    attended = TeamMeetingInvite.objects.filter(meeting=meeting, attended=True)
    assert [i.membership for i in attended] == [came]
    assert AuditEvent.objects.filter(action="training.team_meeting_attendance_saved").count() == 1


def test_attendance_waits_for_the_meeting_and_minutes_are_short(world, meeting, lead):
    url = reverse("training:meeting_attendance", args=[meeting.pk])
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, tzinfo=OSLO), tick=False):
        assert "Hvem kom?" not in _page(lead, meeting)
        early = lead.post(url, {"minutes": "For tidlig"}, follow=True).content.decode()
    assert "Oppmøte og referat føres etter at møtet har begynt." in early
    with time_machine.travel(dt.datetime(2026, 3, 13, 12, 0, tzinfo=OSLO), tick=False):
        long = lead.post(url, {"minutes": "x" * 2001}, follow=True).content.decode()
    assert "Referatet kan være høyst 2000 tegn." in long
    meeting.refresh_from_db()
    assert meeting.minutes == ""


def test_only_the_lead_records_attendance(world, meeting, client_for):
    url = reverse("training:meeting_attendance", args=[meeting.pk])
    with time_machine.travel(dt.datetime(2026, 3, 13, 12, 0, tzinfo=OSLO), tick=False):
        for who in (world.home.admin, world.home.leader_a, world.home.senior_a):
            response = client_for(who).post(url, {"minutes": "Nei"})
            assert response.status_code in (403, 404)
    meeting.refresh_from_db()
    assert meeting.minutes == ""
