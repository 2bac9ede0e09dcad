"""People join by invitation: the link is e-mailed, expires, and sets the password."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from seniorene.accounts.models import Invitation, Membership, Role, User
from seniorene.audit.models import AuditEvent
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lang-og-god-2026"


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """POST the invitation form and run what it queues after commit (the e-mail)."""

    def post(client, **data):
        payload = {"name": "Nina Ny", "email": "nina@test.example", "role": Role.SENIOR, **data}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/invitasjoner/", payload, follow=True)

    return post


def link_in_last_mail() -> str:
    match = re.search(r"http://\S+/invitasjon/\S+/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0).split("testserver", 1)[-1].replace("http://localhost:8000", "")


def accept(client, path, password=NEW_PASSWORD, name="Nina Ny"):
    return client.post(path, {"name": name, "password1": password, "password2": password})


def test_an_admin_invites_a_leader_who_sets_a_password_and_is_in(invite, world, client_for, client):
    admin = client_for(world.home.admin)
    response = invite(
        admin, role=Role.LEADER, departments=[world.home.dept_b.pk], email="Nina@Test.example"
    )
    assert "Invitasjonen er sendt til nina@test.example" in response.content.decode()
    assert mail.outbox[-1].to == ["nina@test.example"]
    assert world.home.organization.name in mail.outbox[-1].subject
    path = link_in_last_mail()

    page = client.get(path)
    assert page.status_code == 200
    assert "Avdelingsleder" in page.content.decode()
    response = accept(client, path)
    assert response.status_code == 302

    user = User.objects.get(email="nina@test.example")
    assert user.check_password(NEW_PASSWORD)
    membership = Membership.objects.get(user=user)
    assert membership.organization == world.home.organization
    assert membership.role == Role.LEADER
    assert membership.department_ids == {world.home.dept_b.pk}
    # A leader must set up two-factor login before reaching any data page.
    assert client.get("/hjem/").url == "/konto/2fa/totp/activate/"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"invitation.created", "invitation.accepted"} <= actions


def test_the_link_works_once(invite, world, client_for, client):
    invite(client_for(world.home.admin), departments=[world.home.dept_a.pk])
    path = link_in_last_mail()
    accept(client, path)
    client.logout()
    response = client.get(path)
    assert "Invitasjonen kan ikke brukes" in response.content.decode()
    assert User.objects.filter(email="nina@test.example").count() == 1


def test_the_link_expires(invite, world, client_for, client, settings):
    invite(client_for(world.home.admin), departments=[world.home.dept_a.pk])
    path = link_in_last_mail()
    with time_machine.travel(timezone.now() + timedelta(days=settings.INVITATION_DAYS, hours=1)):
        response = accept(client, path)
    assert "Invitasjonen kan ikke brukes" in response.content.decode()
    assert not User.objects.filter(email="nina@test.example").exists()


def test_a_revoked_link_stops_working(invite, world, client_for, client):
    admin = client_for(world.home.admin)
    invite(admin, departments=[world.home.dept_a.pk])
    path = link_in_last_mail()
    invitation = Invitation.objects.get(email="nina@test.example")
    admin.post(f"/invitasjoner/{invitation.pk}/trekk-tilbake/")
    response = accept(client, path)
    assert "Invitasjonen kan ikke brukes" in response.content.decode()


def test_a_new_invitation_replaces_the_old_one(invite, world, client_for, client):
    admin = client_for(world.home.admin)
    invite(admin, departments=[world.home.dept_a.pk])
    first = link_in_last_mail()
    invite(admin, departments=[world.home.dept_a.pk])
    assert "Invitasjonen kan ikke brukes" in client.get(first).content.decode()


def test_an_unknown_token_is_not_found(client, db):
    assert client.get("/invitasjon/finnes-ikke/").status_code == 404


def test_a_weak_or_mismatched_password_is_explained_in_norwegian(invite, world, client_for, client):
    invite(client_for(world.home.admin), departments=[world.home.dept_a.pk])
    path = link_in_last_mail()
    html = accept(client, path, password="12345678").content.decode()
    assert "Passordet er for kort. Det må ha minst 10 tegn." in html
    assert "Dette passordet inneholder bare tall." in html
    html = client.post(
        path, {"name": "Nina", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    ).content.decode()
    assert "Passordene er ikke like." in html
    assert not User.objects.filter(email="nina@test.example").exists()


def test_a_leader_invites_seniors_to_their_own_departments_only(invite, world, client_for):
    leader = client_for(world.home.leader_a)
    page = leader.get("/invitasjoner/").content.decode()
    assert world.home.dept_a.name in page
    assert world.home.dept_b.name not in page
    html = invite(leader, departments=[world.home.dept_b.pk]).content.decode()
    assert not Invitation.objects.exists()
    assert "Velg et gyldig valg." in html
    html = invite(leader, role=Role.ADMIN, departments=[world.home.dept_a.pk]).content.decode()
    assert not Invitation.objects.exists()
    invite(leader, departments=[world.home.dept_a.pk])
    assert Invitation.objects.get().role == Role.SENIOR


def test_seniors_and_leaders_need_a_department(invite, world, client_for):
    html = invite(client_for(world.home.admin), role=Role.SENIOR).content.decode()
    assert "må høre til minst én avdeling" in html
    assert not Invitation.objects.exists()


def test_inviting_someone_who_is_already_a_member_says_so(invite, world, client_for):
    existing = world.home.senior_a.user.email
    html = invite(
        client_for(world.home.admin), email=existing, departments=[world.home.dept_a.pk]
    ).content.decode()
    assert "er allerede medlem" in html


def test_a_person_from_another_organization_accepts_by_logging_in(
    invite, world, client_for, client
):
    outsider = world.other.senior_a.user
    invite(client_for(world.home.admin), email=outsider.email, departments=[world.home.dept_a.pk])
    path = link_in_last_mail()
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/konto/login/")
    # Someone else logged in cannot take it.
    other = client_for(world.home.senior_b)
    assert other.post(path).status_code == 403
    mine = client_for(world.other.senior_a)
    assert mine.post(path).status_code == 302
    roles = Membership.objects.filter(user=outsider).values_list("organization_id", flat=True)
    assert set(roles) == {world.home.organization.pk, world.other.organization.pk}


def test_public_sign_up_is_closed(client, db):
    response = client.post("/konto/signup/", {"email": "x@test.example", "password1": NEW_PASSWORD})
    assert not User.objects.filter(email="x@test.example").exists()
    assert response.status_code in {200, 403}


def test_a_leader_sees_only_the_invitations_they_sent(invite, world, client_for):
    invite(client_for(world.home.admin), departments=[world.home.dept_a.pk])
    MembershipFactory(organization=world.home.organization)
    html = client_for(world.home.leader_a).get("/invitasjoner/").content.decode()
    assert "nina@test.example" not in html


def test_deactivating_a_leader_revokes_the_invitations_they_sent(invite, world, client_for):
    admin = client_for(world.home.admin)
    leader = world.home.leader_a
    invite(client_for(leader), departments=[world.home.dept_a.pk])
    from_leader = link_in_last_mail()
    invite(admin, departments=[world.home.dept_a.pk], email="other@test.example")
    from_admin = link_in_last_mail()

    admin.post(f"/medarbeidere/{leader.pk}/aktiv/", {"active": "0"})

    assert "Invitasjonen kan ikke brukes" in accept(Client(), from_leader).content.decode()
    assert not User.objects.filter(email="nina@test.example").exists()
    revoked = AuditEvent.objects.get(action="invitation.revoked")
    assert revoked.actor == world.home.admin.user
    assert revoked.object_id == str(Invitation.objects.get(email="nina@test.example").pk)
    # Invitations others sent still work.
    assert accept(Client(), from_admin).status_code == 302
    assert User.objects.filter(email="other@test.example").exists()


def test_only_the_admin_takes_back_a_member_the_admin_deactivated(invite, world, client_for):
    admin = client_for(world.home.admin)
    senior = world.home.senior_a
    email = senior.user.email
    admin.post(f"/medarbeidere/{senior.pk}/aktiv/", {"active": "0"})

    # The leader cannot invite them again: the page says why, and nothing is sent.
    sent = len(mail.outbox)
    html = invite(
        client_for(world.home.leader_a), departments=[world.home.dept_a.pk], email=email.upper()
    ).content.decode()
    assert f"{email} er deaktivert i organisasjonen. Bare administrasjonen kan ta" in html
    assert len(mail.outbox) == sent
    assert not Invitation.objects.filter(email=email, revoked_at=None).exists()
    senior.refresh_from_db()
    assert senior.is_active is False

    # The admin may.
    invite(admin, departments=[world.home.dept_a.pk], email=email)
    assert Invitation.objects.filter(email=email, revoked_at=None).exists()
    assert mail.outbox[-1].to == [email]
