"""Noe lederen bør vite: raised with the visit log, told to the department's leaders at once
(each the way they chose, once), first on *Følg opp*, read and answered, sent to the lead
when unanswered for 24 hours, and seen by the senior who raised it."""

from __future__ import annotations

import re
import uuid

import pytest
import time_machine
from django.core import mail

from messaging.models import SmsMessage, SmsPurpose
from messaging.services import staff_sms_consent_give
from seniorene.audit.models import AuditEvent
from seniorene.jobs.services import job_execute
from tests.factories import CareRecipientFactory, VisitFactory
from tests.jobs.conftest import oslo
from visits.models import Concern, ConcernAlertChoice, ConcernCategory, VisitStatus

pytestmark = pytest.mark.django_db

# Tuesday 10 March 2026: the visit at 10.00, logged at noon.
NOON = oslo(2026, 3, 10, 12, 0)
WORRY = "Hun falt i gangen i går og har vondt i hofta"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cast(world):
    home = world.home
    for membership, name in (
        (home.senior_a, "Sigrid Senior"),
        (home.leader_a, "Kari Leder"),
        (home.leader_b, "Berit Leder"),
        (home.lead, "Hilde Fagleder"),
    ):
        membership.user.name = name
        membership.user.save()
    return home


@pytest.fixture
def visit(cast):
    recipient = CareRecipientFactory(
        department=cast.dept_a, name="Åse Ødegård", status="active", seniors=[cast.senior_a]
    )
    return VisitFactory(
        recipient=recipient,
        senior=cast.senior_a,
        starts_at=oslo(2026, 3, 10, 10, 0),
        duration_minutes=60,
    )


def log(client, visit, key=None, **data):
    payload = {
        "happened": "1",
        "submission_key": key or str(uuid.uuid4()),
        "checked_in": "10:00",
        "checked_out": "11:00",
        "went_well": "Vi drakk kaffe.",
        "concern_category": ConcernCategory.FALL,
        "concern_text": WORRY,
    }
    payload.update(data)
    return client.post(f"/mine-besok/{visit.pk}/for/", payload)


@pytest.fixture
def raised(cast, visit, client_for, django_capture_on_commit_callbacks):
    """The senior's log with a concern, stored and its notices sent (the task after commit)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = log(client_for(cast.senior_a), visit)
    assert response.status_code == 302
    return Concern.objects.get()


def concern_job(cast, now):
    with time_machine.travel(now, tick=False):
        return job_execute(organization_id=cast.organization.pk, job="concern_escalate", now=now)


def no_health_text(text: str) -> bool:
    return all(word not in text for word in ("falt", "hofta", "Fall", "skade", "Åse", "Ødegård"))


# --- Raised with the log ------------------------------------------------------------------


def test_a_concern_is_stored_once_with_the_log_and_its_leader_is_mailed_once(
    cast, visit, client_for, django_capture_on_commit_callbacks, mailoutbox
):
    client = client_for(cast.senior_a)
    key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        assert log(client, visit, key=key).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        log(client, visit, key=key)  # a double tap: the same report

    concern = Concern.objects.get()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.LOGGED
    assert (concern.category, concern.text, concern.raised_by) == (
        ConcernCategory.FALL,
        WORRY,
        cast.senior_a,
    )
    assert concern.raised_at == NOON
    assert concern.answered_at is None
    # E-mail is the default choice; only department A's leader hears of it.
    assert [m.to for m in mailoutbox] == [[cast.leader_a.user.email]]
    message = mailoutbox[0]
    assert message.subject == "Ny melding fra Sigrid Senior – åpne appen"
    assert f"/besok/meldinger/{concern.pk}/" in message.body
    assert no_health_text(message.subject + message.body)
    event = AuditEvent.objects.get(action="concern.raised")
    assert no_health_text(str(event.details) + event.object_repr)
    # The job's catch-up finds the notice already sent.
    concern_job(cast, oslo(2026, 3, 10, 12, 15))
    assert len(mailoutbox) == 1


def test_a_half_filled_concern_is_refused_in_norwegian_and_nothing_is_stored(
    cast, visit, client_for
):
    client = client_for(cast.senior_a)
    html = log(client, visit, concern_text="").content.decode()
    assert "Skriv kort hva lederen bør vite." in html
    html = log(client, visit, concern_category="").content.decode()
    assert "Velg hva meldingen til lederen gjelder." in html
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED
    assert not Concern.objects.exists()


def test_a_log_without_a_concern_raises_none(cast, visit, client_for, mailoutbox):
    response = log(client_for(cast.senior_a), visit, concern_category="", concern_text="")
    assert response.status_code == 302
    assert not Concern.objects.exists()


def test_a_concern_rides_along_when_the_visit_did_not_happen(cast, visit, client_for):
    response = log(
        client_for(cast.senior_a),
        visit,
        happened="0",
        reason="Ingen åpnet døren",
        concern_category=ConcernCategory.OTHER,
        concern_text="Ingen svarte på telefon heller",
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.NOT_HAPPENED
    assert Concern.objects.get().text == "Ingen svarte på telefon heller"


def test_the_concern_is_kept_in_the_draft_as_typed(cast, visit, client_for):
    from visits.models import VisitLogDraft

    client = client_for(cast.senior_a)
    client.post(
        f"/mine-besok/{visit.pk}/for/utkast/",
        {"concern_category": "mood", "concern_text": "Virket forvirret"},
    )
    draft = VisitLogDraft.objects.get(visit=visit)
    assert draft.data["concern_category"] == "mood"
    assert draft.data["concern_text"] == "Virket forvirret"
    html = client.get(f"/mine-besok/{visit.pk}/for/").content.decode()
    assert re.search(r'value="mood"[^>]*checked', html)
    assert "Virket forvirret" in html


def test_a_leader_logging_on_the_seniors_behalf_raises_it_too(
    cast, visit, client_for, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.leader_a).post(
            f"/besok/{visit.pk}/for-senioren/",
            {
                "reason": "Senioren ringte meg",
                "submission_key": str(uuid.uuid4()),
                "checked_in": "10:00",
                "checked_out": "11:00",
                "concern_category": ConcernCategory.HOME,
                "concern_text": "Røykvarsleren piper",
            },
        )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert (concern.raised_by, concern.category) == (cast.leader_a, ConcernCategory.HOME)
    assert mailoutbox == []  # the one who wrote it is not told


# --- Reaching the leaders ---------------------------------------------------------------


def test_it_stands_first_on_follow_up_for_the_departments_leaders_only(cast, raised, client_for):
    page = client_for(cast.leader_a).get("/besok/folg-opp/").content.decode()
    assert "Fall eller skade" in page
    assert "Åse Ødegård" in page
    sections = re.findall(r'<h2 id="([^"]+)"', page)
    assert sections[0] == "h-concerns"  # first on the page
    assert WORRY not in page  # the text is read on the concern's own page
    other = client_for(cast.leader_b).get("/besok/folg-opp/").content.decode()
    assert "Åse Ødegård" not in other
    assert "Ingen meldinger fra seniorene venter på svar." in other
    lead = client_for(cast.lead).get("/besok/folg-opp/").content.decode()
    assert "Åse Ødegård" in lead


def test_a_leader_who_chose_sms_gets_an_sms_with_consent_and_no_health_text(
    cast, visit, client_for, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.SMS_BACKEND = "outbox"
    leader = cast.leader_a
    leader.user.phone = "+4791112222"
    leader.user.save()
    staff_sms_consent_give(membership=leader, by=leader.user)
    client_for(leader).post("/besok/meldinger/varsling/", {"channel": "sms"})
    assert ConcernAlertChoice.objects.get(membership=leader).channel == "sms"

    with django_capture_on_commit_callbacks(execute=True):
        log(client_for(cast.senior_a), visit)
    sms = SmsMessage.objects.get()
    assert (sms.membership_id, sms.purpose, sms.to_phone) == (
        leader.pk,
        SmsPurpose.STAFF_DIGEST,
        "+4791112222",
    )
    assert sms.body.startswith("Ny melding fra Sigrid Senior")
    assert f"/besok/meldinger/{Concern.objects.get().pk}/" in sms.body
    assert no_health_text(sms.body)
    assert mailoutbox == []
    concern_job(cast, oslo(2026, 3, 10, 12, 15))  # a rerun sends nothing new
    assert SmsMessage.objects.count() == 1


def test_sms_without_consent_falls_back_to_e_mail_and_app_only_sends_nothing(
    cast, visit, client_for, django_capture_on_commit_callbacks, mailoutbox
):
    cast.leader_a.user.phone = "+4791112222"
    cast.leader_a.user.save()
    ConcernAlertChoice.objects.create(
        organization=cast.organization, membership=cast.leader_a, channel="sms"
    )
    with django_capture_on_commit_callbacks(execute=True):
        log(client_for(cast.senior_a), visit)
    assert not SmsMessage.objects.exists()
    assert [m.to for m in mailoutbox] == [[cast.leader_a.user.email]]

    ConcernAlertChoice.objects.filter(membership=cast.leader_a).update(channel="app")
    second = VisitFactory(
        recipient=visit.recipient, senior=cast.senior_a, starts_at=oslo(2026, 3, 10, 11, 0)
    )
    with django_capture_on_commit_callbacks(execute=True):
        log(client_for(cast.senior_a), second, checked_in="11:00", checked_out="11:30")
    assert Concern.objects.count() == 2
    assert len(mailoutbox) == 1


def test_the_choice_page_is_the_leaders_own(cast, client_for):
    client = client_for(cast.leader_a)
    page = client.get("/besok/meldinger/varsling/").content.decode()
    assert "Varsle meg om meldinger fra seniorene" in page
    assert re.search(r'value="email"[^>]*checked', page)
    assert client.post("/besok/meldinger/varsling/", {}).status_code == 200
    assert not ConcernAlertChoice.objects.exists()
    assert client.post("/besok/meldinger/varsling/", {"channel": "app"}).status_code == 302
    assert ConcernAlertChoice.objects.get().channel == "app"
    for who in (cast.senior_a, cast.lead, cast.admin):
        assert client_for(who).get("/besok/meldinger/varsling/").status_code == 403


# --- Read and answered ------------------------------------------------------------------


def test_opening_marks_it_read_and_an_answer_is_required(cast, raised, client_for):
    url = f"/besok/meldinger/{raised.pk}/"
    client_for(cast.admin).get(url)  # admin's quality check is not "read by the leader"
    raised.refresh_from_db()
    assert raised.read_at is None

    leader = client_for(cast.leader_a)
    with time_machine.travel(oslo(2026, 3, 10, 13, 0), tick=False):
        page = leader.get(url).content.decode()
    assert WORRY in page
    client_for(cast.lead).get(url)  # a later opening changes nothing
    raised.refresh_from_db()
    assert (raised.read_by, raised.read_at) == (cast.leader_a, oslo(2026, 3, 10, 13, 0))

    refused = leader.post(url, {"answer": "  "})
    assert refused.status_code == 422
    assert "Skriv hva som ble gjort." in refused.content.decode()
    with time_machine.travel(oslo(2026, 3, 10, 14, 0), tick=False):
        done = leader.post(url, {"answer": "Ringte datteren, legevakt i morgen."})
    assert done.status_code == 302
    assert done["Location"] == "/besok/folg-opp/"
    raised.refresh_from_db()
    assert raised.answer == "Ringte datteren, legevakt i morgen."
    assert (raised.answered_by, raised.answered_at) == (cast.leader_a, oslo(2026, 3, 10, 14, 0))
    event = AuditEvent.objects.get(action="concern.answered")
    assert event.details == {"visit": raised.visit_id, "minutes": 120}
    page = leader.get("/besok/folg-opp/").content.decode()
    assert "Ingen meldinger fra seniorene venter på svar." in page
    assert "Åse Ødegård" in leader.get("/besok/meldinger/").content.decode()


def test_only_the_departments_leaders_the_lead_and_admin_may_read_it(cast, raised, client_for):
    url = f"/besok/meldinger/{raised.pk}/"
    assert client_for(cast.leader_b).get(url).status_code == 404
    assert client_for(cast.leader_b).post(url, {"answer": "Ok"}).status_code == 404
    for senior in (cast.senior_a, cast.senior_b):
        assert client_for(senior).get(url).status_code == 403
        assert client_for(senior).get("/besok/meldinger/").status_code == 403
    for who in (cast.leader_a, cast.lead, cast.admin):
        assert client_for(who).get(url).status_code == 200
    admin = client_for(cast.admin)
    assert admin.post(url, {"answer": "Fulgt opp av admin"}).status_code == 302
    raised.refresh_from_db()
    assert raised.answered_by == cast.admin
    assert "Åse Ødegård" not in client_for(cast.leader_b).get("/besok/meldinger/").content.decode()


# --- The lead after 24 hours ------------------------------------------------------------


def test_the_lead_is_mailed_once_when_it_is_unanswered_after_24_hours(
    cast, raised, client_for, mailoutbox
):
    mail.outbox.clear()
    concern_job(cast, oslo(2026, 3, 11, 11, 59))
    raised.refresh_from_db()
    assert raised.escalated_at is None
    assert mailoutbox == []

    concern_job(cast, oslo(2026, 3, 11, 12, 0))
    assert [m.to for m in mailoutbox] == [[cast.lead.user.email]]
    assert mailoutbox[0].subject == "Ubesvart i 24 timer: melding fra Sigrid Senior"
    assert f"/besok/meldinger/{raised.pk}/" in mailoutbox[0].body
    assert no_health_text(mailoutbox[0].subject + mailoutbox[0].body)
    raised.refresh_from_db()
    assert raised.escalated_at == oslo(2026, 3, 11, 12, 0)
    assert AuditEvent.objects.filter(action="concern.escalated").count() == 1

    concern_job(cast, oslo(2026, 3, 11, 12, 15))
    concern_job(cast, oslo(2026, 3, 12, 9, 0))
    assert len(mailoutbox) == 1
    page = client_for(cast.lead).get("/besok/folg-opp/").content.decode()
    assert "Ubesvart over 24 timer – sendt til fagleder" in page


def test_an_answered_concern_never_goes_to_the_lead(cast, raised, client_for, mailoutbox):
    client_for(cast.leader_a).post(f"/besok/meldinger/{raised.pk}/", {"answer": "Ringte"})
    mail.outbox.clear()
    concern_job(cast, oslo(2026, 3, 11, 13, 0))
    assert mailoutbox == []
    raised.refresh_from_db()
    assert raised.escalated_at is None


def test_the_job_sends_a_notice_the_lost_task_did_not(cast, visit, mailoutbox):
    Concern.objects.create(
        organization=cast.organization,
        visit=visit,
        recipient=visit.recipient,
        raised_by=cast.senior_a,
        category=ConcernCategory.MOOD,
        text="Trist",
    )
    concern_job(cast, oslo(2026, 3, 10, 12, 15))
    concern_job(cast, oslo(2026, 3, 10, 12, 30))
    assert [m.to for m in mailoutbox] == [[cast.leader_a.user.email]]


# --- The senior's side ------------------------------------------------------------------


def test_the_senior_sees_that_it_was_read_and_answered(cast, raised, client_for):
    senior = client_for(cast.senior_a)
    page = senior.get("/mine-besok/meldinger/").content.decode()
    assert WORRY in page
    assert "Ikke lest ennå" in page
    assert "Mine meldinger til lederen" in senior.get("/mine-besok/").content.decode()

    client_for(cast.leader_a).get(f"/besok/meldinger/{raised.pk}/")
    assert "Kari Leder leste meldingen" in senior.get("/mine-besok/meldinger/").content.decode()

    client_for(cast.leader_a).post(
        f"/besok/meldinger/{raised.pk}/", {"answer": "Jeg har ringt datteren hennes."}
    )
    page = senior.get("/mine-besok/meldinger/").content.decode()
    assert "Besvart" in page
    assert "Jeg har ringt datteren hennes." in page
    assert "1 svar siste uke" in senior.get("/mine-besok/").content.decode()
    # Another senior sees none of it.
    other = client_for(cast.senior_a2).get("/mine-besok/meldinger/").content.decode()
    assert WORRY not in other
    assert (
        "Mine meldinger til lederen"
        not in client_for(cast.senior_a2).get("/mine-besok/").content.decode()
    )
