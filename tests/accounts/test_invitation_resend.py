"""Issue 19: the invitation form starts at the least powerful role (Senior), and a pending
or expired invitation can be sent again: same link, a new expiry, audited, not more often
than every `INVITATION_RESEND_MINUTES`, only by those who may invite that role."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from seniorene.accounts.models import Invitation, Role
from seniorene.accounts.services import INVITATION_RESEND_MINUTES
from seniorene.audit.models import AuditEvent
from tests.accounts.test_invitations import accept, invite, link_in_last_mail
from tests.visits.conftest import oslo

pytestmark = pytest.mark.django_db
T0 = oslo(2026, 3, 2, 9, 0)
__all__ = ["invite"]  # the fixture, imported for these tests


def resend(client, invitation: Invitation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/invitasjoner/{invitation.pk}/send-igjen/", follow=True)


@pytest.mark.parametrize("who", ["admin", "leader_a"])
def test_the_invitation_form_starts_at_senior(world, client_for, who):
    html = client_for(getattr(world.home, who)).get("/invitasjoner/").content.decode()
    assert '<option value="senior" selected>' in html
    assert '<option value="admin" selected>' not in html


def test_a_pending_invitation_is_sent_again_with_the_same_link_and_a_new_expiry(
    invite, world, client_for, client, settings, django_capture_on_commit_callbacks
):
    admin = client_for(world.home.admin)
    with time_machine.travel(T0, tick=False):
        invite(admin, departments=[world.home.dept_a.pk])
    first_link = link_in_last_mail()
    invitation = Invitation.objects.get()
    later = T0 + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        sent_before = len(mail.outbox)
        html = resend(admin, invitation, django_capture_on_commit_callbacks).content.decode()
        assert "Invitasjonen er sendt på nytt til nina@test.example" in html
    assert len(mail.outbox) == sent_before + 1
    assert mail.outbox[-1].to == ["nina@test.example"]
    # The same link: the first e-mail's link works as well as the new one.
    assert link_in_last_mail() == first_link
    invitation.refresh_from_db()
    assert invitation.expires_at == later + timedelta(days=settings.INVITATION_DAYS)
    event = AuditEvent.objects.get(action="invitation.resent")
    assert event.actor == world.home.admin.user
    assert event.object_id == str(invitation.pk)
    assert event.details["was_expired"] is False
    # After the first expiry but within the new one, the link still works.
    with time_machine.travel(T0 + timedelta(days=settings.INVITATION_DAYS, hours=1)):
        assert accept(client, first_link).status_code == 302


def test_an_expired_invitation_can_be_sent_again_and_its_link_works_again(
    invite, world, client_for, client, settings, django_capture_on_commit_callbacks
):
    admin = client_for(world.home.admin)
    with time_machine.travel(T0, tick=False):
        invite(admin, departments=[world.home.dept_a.pk])
    link = link_in_last_mail()
    invitation = Invitation.objects.get()
    expired = T0 + timedelta(days=settings.INVITATION_DAYS, hours=1)
    with time_machine.travel(expired, tick=False):
        assert "Invitasjonen kan ikke brukes" in client.get(link).content.decode()
        page = admin.get("/invitasjoner/").content.decode()
        assert "Utløpt" in page
        assert f"/invitasjoner/{invitation.pk}/send-igjen/" in page
        resend(admin, invitation, django_capture_on_commit_callbacks)
        assert AuditEvent.objects.get(action="invitation.resent").details["was_expired"] is True
        assert client.get(link).status_code == 200
        assert accept(client, link).status_code == 302


def test_a_resend_waits_a_few_minutes_after_the_last_sending(
    invite, world, client_for, django_capture_on_commit_callbacks
):
    admin = client_for(world.home.admin)
    with time_machine.travel(T0, tick=False):
        invite(admin, departments=[world.home.dept_a.pk])
    invitation = Invitation.objects.get()
    sent = len(mail.outbox)
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        html = resend(admin, invitation, django_capture_on_commit_callbacks).content.decode()
    assert f"for mindre enn {INVITATION_RESEND_MINUTES} minutter siden" in html
    assert len(mail.outbox) == sent
    assert not AuditEvent.objects.filter(action="invitation.resent").exists()
    with time_machine.travel(T0 + timedelta(minutes=INVITATION_RESEND_MINUTES + 1), tick=False):
        resend(admin, invitation, django_capture_on_commit_callbacks)
    with time_machine.travel(T0 + timedelta(minutes=INVITATION_RESEND_MINUTES + 3), tick=False):
        resend(admin, invitation, django_capture_on_commit_callbacks)  # too soon after the resend
    assert len(mail.outbox) == sent + 1
    assert AuditEvent.objects.filter(action="invitation.resent").count() == 1


def test_accepted_or_revoked_invitations_are_not_sent_again(
    invite, world, client_for, client, django_capture_on_commit_callbacks
):
    admin = client_for(world.home.admin)
    with time_machine.travel(T0, tick=False):
        invite(admin, departments=[world.home.dept_a.pk])
        invite(admin, departments=[world.home.dept_a.pk], email="ola@test.example", name="Ola")
    accepted = Invitation.objects.get(email="nina@test.example")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        accept(client, f"/invitasjon/{accepted.token}/")
        revoked = Invitation.objects.get(email="ola@test.example")
        admin.post(f"/invitasjoner/{revoked.pk}/trekk-tilbake/")
        page = admin.get("/invitasjoner/").content.decode()
        assert "send-igjen" not in page  # no button for either
        sent = len(mail.outbox)
        html = resend(admin, accepted, django_capture_on_commit_callbacks).content.decode()
        assert "Invitasjonen er allerede godtatt." in html
        html = resend(admin, revoked, django_capture_on_commit_callbacks).content.decode()
        assert "Invitasjonen er trukket tilbake." in html
    assert len(mail.outbox) == sent


def test_who_may_resend_which_invitation(
    invite, world, client_for, django_capture_on_commit_callbacks
):
    home = world.home
    with time_machine.travel(T0, tick=False):
        invite(client_for(home.leader_a), departments=[home.dept_a.pk])
        own = Invitation.objects.get()
        invite(client_for(home.admin), departments=[home.dept_a.pk], email="b@test.example")
        admins = Invitation.objects.get(email="b@test.example")
        # A Leader invitation with the leader as sender (say, from before their role
        # changed): they may not invite that role, so they may not resend it either.
        staff = Invitation.objects.create(
            organization=home.organization,
            email="c@test.example",
            name="C",
            role=Role.LEADER,
            invited_by=home.leader_a.user,
        )
        staff.departments.set([home.dept_a], through_defaults={"organization": home.organization})
    later = T0 + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        leader = client_for(home.leader_a)
        assert resend(leader, own, django_capture_on_commit_callbacks).status_code == 200
        assert AuditEvent.objects.filter(action="invitation.resent").count() == 1
        # Not theirs: not found.
        response = leader.post(f"/invitasjoner/{admins.pk}/send-igjen/")
        assert response.status_code == 404
        assert leader.post(f"/invitasjoner/{staff.pk}/send-igjen/").status_code == 403
        for role in ("lead", "senior_a"):
            other = client_for(getattr(home, role))
            assert other.post(f"/invitasjoner/{own.pk}/send-igjen/").status_code in (403, 404)
        # The admin may resend any of them.
        admin = client_for(home.admin)
        resend(admin, admins, django_capture_on_commit_callbacks)
        resend(admin, staff, django_capture_on_commit_callbacks)
        assert AuditEvent.objects.filter(action="invitation.resent").count() == 3
        # Another organization's admin: not found.
        assert (
            client_for(world.other.admin).post(f"/invitasjoner/{own.pk}/send-igjen/").status_code
            == 404
        )
