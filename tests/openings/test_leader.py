"""The leader's side of a job offered to seniors (issue 20): publish from the card, the
notices (each once per job and senior), the answers with the match hints, the choice (R6
again) opening the booking or the plan form filled in, withdrawing, *Følg opp*."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from messaging.models import SmsMessage
from messaging.services import staff_sms_consent_give
from omsorg import services as omsorg
from omsorg.models import ServiceArea
from openings import services
from openings.matching import Hint, HintKind, Leaning
from openings.models import (
    AnswerChoice,
    JobAnswer,
    JobInterest,
    JobOpening,
    OpeningKind,
    OpeningStatus,
)
from openings.notices import choice_announce, opening_announce
from seniorene.accounts.models import Role
from seniorene.audit.models import AuditEvent
from tests.factories import CareRecipientFactory, MembershipFactory, make_criteria, ready_for_plan
from tests.openings.helpers import PUBLISHED_AT
from tests.training.helpers import clear_for_assignment, make_module

pytestmark = pytest.mark.django_db

NAME, STREET = "Åse Ødegård", "Thereses gate 12"
FIRST = date(2027, 1, 19)  # a Tuesday, a week after PUBLISHED_AT (a Monday)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(PUBLISHED_AT, tick=False) as traveller:
        yield traveller


def opt_in(senior, *, phone: str = "", sms: bool = False) -> None:
    """`senior` cleared (R6) and opted in to Omsorg jobs; with a phone and SMS consent."""
    clear_for_assignment(senior)
    JobInterest.objects.create(organization=senior.organization, membership=senior)
    if phone:
        senior.user.phone = phone
        senior.user.save(update_fields=["phone"])
    if sms:
        staff_sms_consent_give(membership=senior, by=senior.user)


@pytest.fixture
def people(world):
    """senior_a (SMS consent) and senior_a2 opted in and cleared; a third senior of A opted
    in but not cleared; senior_b (department B) opted in and cleared."""
    home = world.home
    make_criteria(home.organization)
    opt_in(home.senior_a, phone="+4798765432", sms=True)
    opt_in(home.senior_a2, phone="+4798765433")  # a phone, but no consent to SMS
    uncleared = MembershipFactory(
        organization=home.organization, role=Role.SENIOR, departments=[home.dept_a]
    )
    JobInterest.objects.create(organization=home.organization, membership=uncleared)
    opt_in(home.senior_b)
    return home


@pytest.fixture
def screened(people):
    """Åse in department A, screened and passed (R1): ready for a Bli kjent job."""
    recipient = CareRecipientFactory(
        department=people.dept_a, name=NAME, address=STREET, postal_code="0452", city="Oslo"
    )
    screening, _training = make_criteria(people.organization)
    omsorg.screening_record(
        recipient=recipient,
        by=people.leader_a,
        answers={c.pk: (True, "") for c in screening},
    )
    recipient.refresh_from_db()
    return recipient


@pytest.fixture
def ready(people):
    """Åse in department A, *Klar for plan* after a good-match Bli kjent meeting."""
    recipient = CareRecipientFactory(
        department=people.dept_a,
        name=NAME,
        address=STREET,
        postal_code="0452",
        city="Oslo",
        status="ready",
        seniors=[people.senior_a],
    )
    ready_for_plan(recipient, senior=people.senior_a)
    return recipient


def publish_post(**changes) -> dict:
    data = {
        "kind": "intake",
        "area": "Oslo",
        "postal_code": "0452",
        "start_time": "11:00",
        "duration_minutes": "60",
        "every_n_weeks": "1",
        "first_date": FIRST.isoformat(),
        "description": "Enke, liker kortspill og turer.",
    }
    data.update(changes)
    return data


def publish(home, recipient, **changes) -> JobOpening:
    data = publish_post(**changes)
    weekdays = data.pop("weekdays", [FIRST.weekday()])
    areas = data.pop("service_areas", [])
    return services.opening_publish(
        recipient=recipient,
        by=home.leader_a,
        fields=services.OpeningFields(
            kind=data["kind"],
            area=data["area"],
            postal_code=data["postal_code"],
            weekdays=weekdays,
            start_time=time(11),
            duration_minutes=int(data["duration_minutes"]),
            every_n_weeks=int(data["every_n_weeks"]),
            first_date=FIRST,
            service_areas=areas,
            description=data["description"],
        ),
    )


def answer(opening, senior, choice=AnswerChoice.YES, note="") -> JobAnswer:
    return JobAnswer.objects.create(
        organization=opening.organization,
        opening=opening,
        senior=senior,
        answer=choice,
        note=note,
        answered_at=PUBLISHED_AT,
    )


def mails_to(senior) -> list:
    return [m for m in mail.outbox if m.to == [senior.user.email]]


def assert_no_name_or_address(text: str) -> None:
    for word in ("Åse", "Ødegård", "Thereses", "Enke"):
        assert word not in text


# --- Publishing from the card ---------------------------------------------------------------


def test_the_card_offers_publishing_and_the_form_starts_from_the_postal_code_never_the_street(
    screened, people, client_for
):
    client = client_for(people.leader_a)
    card = client.get(f"/brukere/{screened.pk}/").content.decode()
    assert f"/brukere/{screened.pk}/ledig-jobb/" in card
    page = client.get(f"/brukere/{screened.pk}/ledig-jobb/").content.decode()
    assert 'name="area" value="Oslo"' in page
    assert 'name="postal_code" value="0452"' in page
    assert "Thereses" not in page
    assert 'value="intake"' in page
    assert 'value="visits"' not in page
    assert 'data-reaches="2"' in page  # senior_a and senior_a2; not the uncleared, not B


def test_the_leader_publishes_and_lands_on_the_job(screened, people, client_for):
    client = client_for(people.leader_a)
    response = client.post(
        f"/brukere/{screened.pk}/ledig-jobb/", publish_post(weekdays=[str(FIRST.weekday())])
    )
    opening = JobOpening.objects.get()
    assert response.status_code == 302
    assert response.url == f"/avdeling/ledige-jobber/{opening.pk}/"
    assert (opening.kind, opening.area, opening.postal_code) == ("intake", "Oslo", "0452")
    assert opening.status == OpeningStatus.OPEN
    event = AuditEvent.objects.get(action="opening.published")
    assert event.details["reaches"] == 2
    # A second job for the same recipient waits until the first is withdrawn or filled.
    again = client.post(f"/brukere/{screened.pk}/ledig-jobb/", publish_post())
    assert again.status_code == 200
    assert JobOpening.objects.count() == 1


def test_a_recipient_not_ready_gets_no_job(people, client_for):
    recipient = CareRecipientFactory(department=people.dept_a, name=NAME)  # not screened
    client = client_for(people.leader_a)
    assert (
        f"/brukere/{recipient.pk}/ledig-jobb/"
        not in client.get(f"/brukere/{recipient.pk}/").content.decode()
    )
    response = client.post(f"/brukere/{recipient.pk}/ledig-jobb/", publish_post())
    assert response.status_code == 200
    assert "kartleggingen er bestått" in response.content.decode()
    assert not JobOpening.objects.exists()
    with pytest.raises(ValidationError):
        publish(people, recipient)


@pytest.mark.parametrize(
    ("field", "text"), [("description", "Åse liker kortspill"), ("area", "Thereses gate")]
)
def test_the_name_or_the_street_is_refused_in_what_seniors_read(screened, people, field, text):
    with pytest.raises(ValidationError) as caught:
        publish(people, screened, **{field: text})
    assert caught.value.code == "names_recipient"
    assert not JobOpening.objects.exists()


def test_publishing_with_nobody_eligible_is_allowed_and_says_so(screened, people, client_for):
    JobInterest.objects.update(status="withdrawn")
    client = client_for(people.leader_a)
    page = client.get(f"/brukere/{screened.pk}/ledig-jobb/").content.decode()
    assert 'data-reaches="0"' in page
    response = client.post(f"/brukere/{screened.pk}/ledig-jobb/", publish_post(), follow=True)
    assert "ingen seniorer får beskjed" in response.content.decode()
    assert JobOpening.objects.count() == 1
    assert mail.outbox == []


# --- Notices: each once per job and senior ---------------------------------------------------


def test_a_bli_kjent_job_on_several_days_reads_the_same_for_leader_and_senior(
    screened, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(people, screened, weekdays=[1, 3])  # tuesday or thursday, from 19.1.2027
    [notice] = mails_to(people.senior_a)
    assert "tirsdag eller torsdag kl. 11.00, fra 19.1.2027 (60 minutter)" in notice.body


def test_publishing_tells_each_eligible_senior_once_and_a_rerun_sends_nothing_new(
    screened, people, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "outbox"
    with django_capture_on_commit_callbacks(execute=True):
        opening = publish(people, screened)
    told = {m.to[0] for m in mail.outbox}
    assert told == {people.senior_a.user.email, people.senior_a2.user.email}
    [notice] = mails_to(people.senior_a)
    assert notice.subject == "Ledig jobb: Bli kjent-møte i 0452 Oslo"
    assert "tirsdag 19.1.2027 kl. 11.00 (60 minutter)" in notice.body
    assert_no_name_or_address(notice.subject + notice.body)
    # SMS only with the senior's own consent: senior_a has it, senior_a2 has only a phone.
    sms = SmsMessage.objects.get()
    assert sms.membership_id == people.senior_a.pk
    assert sms.idempotency_key == f"opening:{opening.pk}:published:{people.senior_a.pk}"
    assert "Ledig jobb: Bli kjent-møte i 0452 Oslo" in sms.body
    assert_no_name_or_address(sms.body)

    again = opening_announce(organization_id=opening.organization_id, opening_id=opening.pk)
    assert set(again.values()) == {"already"}
    assert len(mail.outbox) == 2
    assert SmsMessage.objects.count() == 1


def test_choosing_tells_the_chosen_and_the_others_who_said_yes_once_each(
    screened, people, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "outbox"
    third = MembershipFactory(
        organization=people.organization, role=Role.SENIOR, departments=[people.dept_a]
    )
    opt_in(third)
    with django_capture_on_commit_callbacks(execute=True):
        opening = publish(people, screened)
    answer(opening, people.senior_a, note="kan bare tirsdager")
    answer(opening, people.senior_a2)
    answer(opening, third, AnswerChoice.NO)
    mail.outbox.clear()
    SmsMessage.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        services.opening_choose(opening=opening, senior=people.senior_a, by=people.leader_a)
    with (  # the second press: already filled, nothing sent
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as caught,
    ):
        services.opening_choose(opening=opening, senior=people.senior_a, by=people.leader_a)
    assert caught.value.code == "not_open"
    again = choice_announce(organization_id=opening.organization_id, opening_id=opening.pk)
    assert set(again.values()) == {"already"}

    [chosen] = mails_to(people.senior_a)
    assert chosen.subject == "Du har fått jobben: Bli kjent-møte i 0452 Oslo"
    [taken] = mails_to(people.senior_a2)
    assert taken.subject == "Jobben er tatt: Bli kjent-møte i 0452 Oslo"
    assert mails_to(third) == []  # said no: nothing to tell
    for message in (chosen, taken):
        assert_no_name_or_address(message.subject + message.body)
    sms = SmsMessage.objects.get()  # senior_a has consent; senior_a2 does not
    assert sms.idempotency_key == f"opening:{opening.pk}:chosen:{people.senior_a.pk}"
    assert_no_name_or_address(sms.body)
    opening.refresh_from_db()
    assert (opening.status, opening.chosen) == (OpeningStatus.FILLED, people.senior_a)
    assert AuditEvent.objects.filter(action="opening.chosen").count() == 1


def test_a_withdrawn_job_announces_nothing(screened, people):
    opening = publish(people, screened)  # its announcement has not run yet
    services.opening_withdraw(opening=opening, by=people.leader_a.user, reason="Fikk hjelp")
    assert opening_announce(organization_id=opening.organization_id, opening_id=opening.pk) == {}
    assert mail.outbox == []


# --- The job page, R6 at the choice, the prefilled forms ------------------------------------


def test_the_job_page_lists_yes_first_with_the_match_hints(
    screened, people, client_for, monkeypatch
):
    opening = publish(people, screened)
    answer(opening, people.senior_a2, AnswerChoice.NO, note="Passer ikke for meg")
    answer(opening, people.senior_a, note="kan bare tirsdager")

    def hints(*, opening, seniors):
        return {s.pk: [Hint(HintKind.DISTANCE, Leaning.GOOD, "1,2 km unna")] for s in seniors}

    monkeypatch.setattr("openings.views.leader.match_hints", hints)
    page = client_for(people.leader_a).get(f"/avdeling/ledige-jobber/{opening.pk}/")
    html = page.content.decode()
    assert html.index(people.senior_a.user.name) < html.index(people.senior_a2.user.name)
    assert "kan bare tirsdager" in html
    assert html.count('data-hint="distance"') == 2
    assert "1,2 km unna" in html
    assert html.count("Velg ") == 1  # only the one who said yes can be chosen


def test_r6_is_checked_again_when_the_leader_chooses(screened, people, client_for):
    opening = publish(people, screened)
    answer(opening, people.senior_a)
    # A new required module since: senior_a is no longer cleared.
    make_module(people.organization, is_required=True, title="Ny førstehjelp")
    client = client_for(people.leader_a)
    response = client.post(
        f"/avdeling/ledige-jobber/{opening.pk}/velg/", {"senior": people.senior_a.pk}
    )
    assert response.status_code == 200
    assert "Ny førstehjelp" in response.content.decode()
    opening.refresh_from_db()
    assert opening.status == OpeningStatus.OPEN
    assert not AuditEvent.objects.filter(action="opening.chosen").exists()


def test_a_senior_who_paused_since_answering_cannot_be_chosen(screened, people):
    opening = publish(people, screened)
    answer(opening, people.senior_a)
    JobInterest.objects.filter(membership=people.senior_a).update(
        status="paused", paused_until=FIRST
    )
    with pytest.raises(ValidationError) as caught:
        services.opening_choose(opening=opening, senior=people.senior_a, by=people.leader_a)
    assert caught.value.code == "not_eligible"


def test_only_one_who_said_yes_can_be_chosen(screened, people):
    opening = publish(people, screened)
    answer(opening, people.senior_a, AnswerChoice.NO)
    with pytest.raises(ValidationError) as caught:
        services.opening_choose(opening=opening, senior=people.senior_a, by=people.leader_a)
    assert caught.value.code == "no_yes"


def test_choosing_opens_the_booking_form_filled_in_from_the_job(screened, people, client_for):
    opening = publish(people, screened, duration_minutes="45")
    answer(opening, people.senior_a)
    client = client_for(people.leader_a)
    response = client.post(
        f"/avdeling/ledige-jobber/{opening.pk}/velg/", {"senior": people.senior_a.pk}
    )
    assert response.status_code == 302
    assert response.url.startswith(f"/brukere/{screened.pk}/bli-kjent/ny/?")
    form = client.get(response.url).content.decode()
    assert re.search(rf'<option value="{people.senior_a.pk}" selected>', form)
    assert 'name="date" value="2027-01-19"' in form
    assert 'name="start" value="11:00"' in form
    assert 'name="duration_minutes" value="45"' in form
    # The job page keeps the way to the form.
    page = client.get(f"/avdeling/ledige-jobber/{opening.pk}/").content.decode()
    assert "data-next-step" in page


def test_choosing_opens_the_plan_form_filled_in_from_the_job(ready, people, client_for):
    walks, cards = ServiceArea.objects.filter(organization=people.organization)[:2]
    opening = publish(
        people,
        ready,
        kind="visits",
        weekdays=[1, 3],
        every_n_weeks="2",
        duration_minutes="90",
        service_areas=[walks, cards],
    )
    answer(opening, people.senior_a)
    client = client_for(people.leader_a)
    response = client.post(
        f"/avdeling/ledige-jobber/{opening.pk}/velg/", {"senior": people.senior_a.pk}
    )
    assert response.url.startswith(f"/brukere/{ready.pk}/besok/ny-plan/?")
    form = client.get(response.url).content.decode()

    def checked(name: str, value: int) -> bool:
        return bool(re.search(rf'name="{name}" value="{value}"[^>]*checked', form))

    assert checked("weekdays", 1)
    assert checked("weekdays", 3)
    assert not checked("weekdays", 0)
    assert checked("service_areas", walks.pk)
    assert checked("service_areas", cards.pk)
    assert re.search(r'<option value="2" selected>', form)
    assert 'name="start_time" value="11:00"' in form
    assert 'name="duration_minutes" value="90"' in form
    assert 'name="first_date" value="2027-01-19"' in form
    assert re.search(rf'<option value="{people.senior_a.pk}" selected>', form)


def test_the_prefill_takes_only_ids_dates_and_times(screened, people, client_for):
    client = client_for(people.leader_a)
    page = client.get(
        f"/brukere/{screened.pk}/bli-kjent/ny/?date=<script>&start=11:00&senior=x%22"
    ).content.decode()
    assert "<script>" not in page
    assert 'name="start" value="11:00"' in page


# --- Withdraw, Følg opp, the recipient's life cycle ---------------------------------------


def test_the_leader_withdraws_a_job_with_a_reason(screened, people, client_for):
    opening = publish(people, screened)
    client = client_for(people.leader_a)
    refused = client.post(f"/avdeling/ledige-jobber/{opening.pk}/trekk/", {"reason": ""})
    assert refused.status_code == 200
    response = client.post(
        f"/avdeling/ledige-jobber/{opening.pk}/trekk/", {"reason": "Datteren fant en annen"}
    )
    assert response.status_code == 302
    opening.refresh_from_db()
    assert opening.status == OpeningStatus.WITHDRAWN
    assert opening.withdrawn_reason == "Datteren fant en annen"
    event = AuditEvent.objects.get(action="opening.withdrawn")
    assert "Datteren" not in str(event.details)


def test_a_job_nobody_said_yes_to_shows_on_follow_up_after_the_setting_s_days(
    screened, people, client_for, clock, settings
):
    settings.OPENING_UNANSWERED_DAYS = 3
    opening = publish(people, screened)
    client = client_for(people.leader_a)
    url = f"/avdeling/ledige-jobber/{opening.pk}/"
    clock.move_to(PUBLISHED_AT + timedelta(days=2))
    assert url not in client.get("/besok/folg-opp/").content.decode()
    clock.move_to(PUBLISHED_AT + timedelta(days=3))
    page = client.get("/besok/folg-opp/").content.decode()
    assert url in page
    assert "Ledige jobber uten ja (1)" in page
    # Not for the other department's leader.
    assert url not in client_for(people.leader_b).get("/besok/folg-opp/").content.decode()
    answer(opening, people.senior_a)
    assert url not in client.get("/besok/folg-opp/").content.decode()


def test_the_leaders_list_shows_their_departments_jobs(screened, people, client_for):
    opening = publish(people, screened)
    answer(opening, people.senior_a)
    mine = client_for(people.leader_a).get("/avdeling/ledige-jobber/").content.decode()
    assert f"/avdeling/ledige-jobber/{opening.pk}/" in mine
    assert "1 ja" in mine
    theirs = client_for(people.leader_b).get("/avdeling/ledige-jobber/").content.decode()
    assert f"/avdeling/ledige-jobber/{opening.pk}/" not in theirs
    assert "Ledige jobber" in client_for(people.lead).get("/hjem/").content.decode()


def test_ending_the_recipient_withdraws_the_open_job(screened, people):
    from customers.services import recipient_change_status

    opening = publish(people, screened)
    recipient_change_status(
        recipient=screened, by=people.leader_a, to_status="ended", reason="Flyttet"
    )
    opening.refresh_from_db()
    assert opening.status == OpeningStatus.WITHDRAWN


def test_the_export_lists_the_jobs_and_the_answers(screened, people, client_for):
    opening = publish(people, screened)
    answer(opening, people.senior_a, note="kan bare tirsdager")
    data = client_for(people.leader_a).get(f"/brukere/{screened.pk}/innsyn.json").json()
    [job] = data["job_openings"]
    assert job["kind"] == str(OpeningKind.INTAKE.label)
    assert job["description"] == "Enke, liker kortspill og turer."
    assert job["answers"][0]["note"] == "kan bare tirsdager"
