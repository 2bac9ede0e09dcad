"""What the Bli kjent interview learned, at the visit (issue 18): the mapping of each
question, question 4's relative copied into the relatives, and R3 on the senior's pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Assignment, Relation, Relative
from omsorg import services
from omsorg.access import can_read_briefing
from omsorg.models import IntakeInterview
from omsorg.selectors import parse_interview_contact, visit_briefing
from seniorene.audit.models import AuditEvent, ViewRecord
from tests.conftest import PERSONAS
from tests.factories import RelativeFactory, VisitFactory

pytestmark = pytest.mark.django_db

ANSWERS = {
    "q2_informed": "no",
    "q3_prepared_by": "relative",
    "q4_contact_name": "Ingrid Ødegård",
    "q4_contact_phone": "900 11 223",
    "q5_likes": "Blomster, Bærum og båtliv",
    "q6_avoid": "Krigen og broren som døde",
    "q7_cognitive": "Blir fort sliten av pusleoppgaver",
    "q8_falls": "Falt på badet i fjor vinter",
    "q9_frequency": "Én gang i uken",
}


@pytest.fixture
def recipient(world, intake):
    """`intake`'s recipient (department A), assigned to senior_a, screening passed."""
    Assignment.objects.create(
        organization_id=intake.recipient.organization_id,
        recipient=intake.recipient,
        senior=world.home.senior_a,
    )
    services.screening_record(
        recipient=intake.recipient,
        by=world.home.leader_a,
        answers={c.pk: (True, "") for c in intake.screening},
    )
    return intake.recipient


def complete(world, recipient, **answers) -> IntakeInterview:
    """Book and complete an interview for `recipient` with `ANSWERS` changed by `answers`."""
    interview = services.interview_book(
        recipient=recipient,
        by=world.home.leader_a,
        senior=world.home.senior_a,
        starts_at=timezone.now() + timedelta(hours=1),
        reason="Et nytt møte etter sykehusoppholdet",  # asked for from the second meeting on
    )
    return services.interview_complete(
        interview=interview,
        by=world.home.senior_a,
        data={**ANSWERS, **answers},
        criteria={a.pk: True for a in interview.criterion_answers.all()},
        km=None,
        outcome="good_match",
    )


# --- The mapping --------------------------------------------------------------------------


def test_it_maps_every_question_to_its_place_in_the_briefing(world, recipient):
    interview = complete(world, recipient)
    briefing = visit_briefing(recipient=recipient)
    assert briefing is not None
    assert briefing.interview == interview
    assert briefing.avoid == ANSWERS["q6_avoid"]
    assert briefing.falls == ANSWERS["q8_falls"]
    assert briefing.cognitive == ANSWERS["q7_cognitive"]
    assert briefing.likes == ANSWERS["q5_likes"]
    assert briefing.informed == "Brukeren vet ikke at det kommer besøk fra Seniorene."
    assert briefing.prepared_by == "Pårørende ringer brukeren og forbereder besøket."
    [contact] = briefing.contacts
    assert contact.name == "Ingrid Ødegård"
    assert contact.phone is not None
    assert contact.phone.e164 == "+4790011223"
    assert contact.phone.national == "90 01 12 23"
    assert briefing.has_warnings
    # Question 9 is for planning, not for the doorstep.
    assert ANSWERS["q9_frequency"] not in repr(briefing.__dict__.values())


@pytest.mark.parametrize(
    ("informed", "sentence"),
    [
        ("yes", "Brukeren vet at det kommer besøk."),
        ("no", "Brukeren vet ikke at det kommer besøk fra Seniorene."),
        ("na", "Brukeren bestilte besøket selv."),
        ("", ""),
    ],
)
def test_question_2_says_whether_the_recipient_knows(world, recipient, informed, sentence):
    complete(world, recipient, q2_informed=informed)
    briefing = visit_briefing(recipient=recipient)
    assert briefing is not None
    assert briefing.informed == sentence


@pytest.mark.parametrize(
    ("preparer", "sentence"),
    [
        ("relative", "Pårørende ringer brukeren og forbereder besøket."),
        ("senior", "Senioren ringer brukeren før besøket."),
    ],
)
def test_question_3_says_who_prepares_the_recipient(world, recipient, preparer, sentence):
    complete(world, recipient, q3_prepared_by=preparer)
    briefing = visit_briefing(recipient=recipient)
    assert briefing is not None
    assert briefing.prepared_by == sentence


def test_there_is_no_briefing_before_an_interview_is_completed(world, recipient):
    interview = services.interview_book(
        recipient=recipient,
        by=world.home.leader_a,
        senior=world.home.senior_a,
        starts_at=timezone.now() + timedelta(hours=1),
    )
    services.interview_save_draft(interview=interview, by=world.home.senior_a, data=ANSWERS)
    assert visit_briefing(recipient=recipient) is None


def test_the_newest_completed_interview_is_the_one_shown(world, recipient):
    complete(world, recipient, q8_falls="Falt i trappen")
    complete(world, recipient, q8_falls="Ingen nye fall, men ustø på beina")
    briefing = visit_briefing(recipient=recipient)
    assert briefing is not None
    assert briefing.falls == "Ingen nye fall, men ustø på beina"


# --- Question 4 into the relatives ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "phone", "expected"),
    [
        ("Ingrid Ødegård", "900 11 223", ("Ingrid Ødegård", "+4790011223", Relation.OTHER)),
        ("Kari Nilsen (datter) 912 34 567", "", ("Kari Nilsen", "+4791234567", "child")),
        ("Per Hansen, tlf. 22 33 44 55", "", ("Per Hansen", "+4722334455", Relation.OTHER)),
        ("Nabo Olsen", "mob: 41 22 33 44", ("Nabo Olsen", "+4741223344", Relation.FRIEND)),
        ("Svein (sønn)", "ring sentralbordet", ("Svein", None, Relation.CHILD)),
        ("Eva (venninne fra koret)", "", ("Eva (venninne fra koret)", None, Relation.FRIEND)),
        ("Ola", "12345", ("Ola", None, Relation.OTHER)),
        ("", "+46 70 123 45 67", ("Pårørende fra Bli kjent-samtalen", "+46701234567", "other")),
    ],
)
def test_it_reads_a_name_and_a_phone_from_question_4(name, phone, expected):
    contact = parse_interview_contact(name, phone)
    assert contact is not None
    assert (contact.name, contact.phone, contact.relation) == expected


def test_an_empty_question_4_is_no_contact():
    assert parse_interview_contact("  ", "") is None
    assert parse_interview_contact("", "ukjent") is None


def test_completing_adds_the_relative_to_contact_during_visits_once(world, client_for, recipient):
    complete(world, recipient)
    relative = Relative.objects.get(recipient=recipient)
    assert relative.name == "Ingrid Ødegård"
    assert relative.phone.as_e164 == "+4790011223"
    assert relative.contact_during_visits is True
    event = AuditEvent.objects.get(action="relative.created", object_id=str(relative.pk))
    assert event.actor == world.home.senior_a.user
    assert event.details["contact_during_visits"] is True
    # A second interview with the same phone written another way changes nothing.
    complete(world, recipient, q4_contact_name="Ingrid", q4_contact_phone="+47 90 01 12 23")
    assert Relative.objects.filter(recipient=recipient).count() == 1
    # The leader sees it on the card, marked, without typing it again.
    html = client_for(world.home.leader_a).get(f"/brukere/{recipient.pk}/").content.decode()
    assert "Ingrid Ødegård" in html
    assert "Kontakt under besøk" in html


def test_it_marks_the_relative_the_leader_registered_instead_of_adding_one(world, recipient):
    leaders = RelativeFactory(
        recipient=recipient,
        name="Ingrid Ødegård Hansen",
        relation=Relation.CHILD,
        phone="+4790011223",
        contact_during_visits=False,
    )
    complete(world, recipient)
    leaders.refresh_from_db()
    assert Relative.objects.filter(recipient=recipient).count() == 1
    assert leaders.contact_during_visits is True
    assert leaders.name == "Ingrid Ødegård Hansen"  # what the leader typed stays
    assert leaders.relation == Relation.CHILD
    assert AuditEvent.objects.filter(action="relative.updated", object_id=str(leaders.pk)).exists()


def test_a_contact_by_name_only_gets_the_phone_when_the_interview_has_one(world, recipient):
    named = RelativeFactory(recipient=recipient, name="ingrid ødegård", phone="")
    complete(world, recipient)
    named.refresh_from_db()
    assert Relative.objects.filter(recipient=recipient).count() == 1
    assert named.phone.as_e164 == "+4790011223"
    assert named.contact_during_visits is True


def test_a_contact_without_a_readable_phone_is_added_and_the_pages_say_so(
    world, client_for, recipient
):
    complete(world, recipient, q4_contact_name="Kari Nilsen", q4_contact_phone="vet ikke")
    relative = Relative.objects.get(recipient=recipient)
    assert relative.name == "Kari Nilsen"
    assert not relative.phone
    assert relative.contact_during_visits is True
    card = client_for(world.home.leader_a).get(f"/brukere/{recipient.pk}/").content.decode()
    assert "Telefonnummer mangler" in card
    page = client_for(world.home.senior_a).get(f"/mine-brukere/{recipient.pk}/").content.decode()
    assert "Kari Nilsen. Telefonnummeret mangler" in page
    assert 'href="tel:"' not in page


def test_an_interview_without_question_4_adds_no_relative(world, recipient):
    complete(world, recipient, q4_contact_name="", q4_contact_phone="")
    assert not Relative.objects.filter(recipient=recipient).exists()


# --- R3: who reads it, and the view log -----------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("organization", ["home", "other"])
def test_r3_the_recipients_seniors_its_leaders_and_the_lead_may_read_it(
    world, recipient, persona, organization
):
    who = getattr(world, organization).persona(persona)
    allowed = organization == "home" and persona in {"lead", "leader_a", "senior_a"}
    assert can_read_briefing(who, recipient) is allowed


def _views(interview, what):
    return ViewRecord.objects.filter(
        object_type="omsorg.intakeinterview", object_id=str(interview.pk), what=what
    )


def test_the_assigned_senior_reads_it_on_the_visit_page_and_each_read_is_logged(
    world, client_for, recipient
):
    interview = complete(world, recipient)
    visit = VisitFactory(recipient=recipient, senior=world.home.senior_a)
    client = client_for(world.home.senior_a)
    for _ in range(2):
        response = client.get(f"/mine-besok/{visit.pk}/")
        html = response.content.decode()
        assert response.status_code == 200
        for answer in ("q5_likes", "q6_avoid", "q7_cognitive", "q8_falls"):
            assert ANSWERS[answer] in html
        assert 'href="tel:+4790011223"' in html
    # Safety first: the warning (falls, then what to avoid) comes before everything else.
    body = html.split("<main", 1)[1]
    order = [body.index(ANSWERS[f]) for f in ("q8_falls", "q6_avoid", "q5_likes", "q7_cognitive")]
    assert order == sorted(order)
    assert body.index("Viktig før du ringer på") < body.index("tel:+4790011223")
    records = _views(interview, "viktig før besøket (besøk)")
    assert records.count() == 2
    assert {r.viewer for r in records} == {world.home.senior_a.user}


def test_the_assigned_senior_reads_it_on_the_recipient_page_and_it_is_logged(
    world, client_for, recipient
):
    interview = complete(world, recipient)
    html = client_for(world.home.senior_a).get(f"/mine-brukere/{recipient.pk}/").content.decode()
    assert ANSWERS["q8_falls"] in html
    assert ANSWERS["q6_avoid"] in html
    assert html.count('href="tel:+4790011223"') == 1  # the briefing's button, not twice
    assert _views(interview, "viktig før besøket (brukerside)").count() == 1


def test_a_stand_in_senior_with_only_the_visit_does_not_read_it(world, client_for, recipient):
    """senior_a2 was given one visit but is not one of the recipient's seniors (R3)."""
    interview = complete(world, recipient)
    visit = VisitFactory(recipient=recipient, senior=world.home.senior_a2)
    response = client_for(world.home.senior_a2).get(f"/mine-besok/{visit.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    for answer in ("q5_likes", "q6_avoid", "q7_cognitive", "q8_falls", "q4_contact_name"):
        assert ANSWERS[answer] not in html
    assert "Spør avdelingslederen" in html
    assert not ViewRecord.objects.filter(object_id=str(interview.pk)).exists()


EVERYONE_ELSE = [
    (organization, persona)
    for organization in ("home", "other")
    for persona in PERSONAS
    if (organization, persona) != ("home", "senior_a")  # the assigned senior: tests above
]


@pytest.mark.parametrize(("organization", "persona"), EVERYONE_ELSE)
def test_no_one_else_reads_it_from_the_senior_pages(
    world, client_for, recipient, organization, persona
):
    interview = complete(world, recipient)
    visit = VisitFactory(recipient=recipient, senior=world.home.senior_a)
    who = getattr(world, organization).persona(persona)
    client = client_for(who)
    for url in (f"/mine-besok/{visit.pk}/", f"/mine-brukere/{recipient.pk}/"):
        response = client.get(url)
        # Seniors' pages: other roles are refused (403); other seniors do not find it (404).
        assert response.status_code == (404 if persona.startswith("senior") else 403)
        assert ANSWERS["q8_falls"] not in response.content.decode()
    assert not ViewRecord.objects.filter(object_id=str(interview.pk)).exists()


def test_without_a_completed_interview_the_pages_say_so_briefly(world, client_for, recipient):
    visit = VisitFactory(recipient=recipient, senior=world.home.senior_a)
    client = client_for(world.home.senior_a)
    for url in (f"/mine-besok/{visit.pk}/", f"/mine-brukere/{recipient.pk}/"):
        html = client.get(url).content.decode()
        assert "Bli kjent-samtalen er ikke levert ennå." in html
        assert "Viktig før du ringer på" not in html
    assert not ViewRecord.objects.filter(object_type="omsorg.intakeinterview").exists()


def test_without_falls_or_topics_to_avoid_there_is_no_warning_box(world, client_for, recipient):
    complete(world, recipient, q6_avoid="", q8_falls="")
    visit = VisitFactory(recipient=recipient, senior=world.home.senior_a)
    html = client_for(world.home.senior_a).get(f"/mine-besok/{visit.pk}/").content.decode()
    assert "Viktig før du ringer på" not in html
    assert "Ingen fall og ingen tema å unngå er nevnt." in html
    assert ANSWERS["q5_likes"] in html
