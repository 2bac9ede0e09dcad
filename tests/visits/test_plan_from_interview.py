"""No plan without the interview (issue 19): a good-match Bli kjent and a customer, or a
leader's written reason; the plan form starts from the interview; the card's checklist."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError

from customers.models import Customer, RecipientStatus
from omsorg.models import InterviewStatus, Outcome
from seniorene.audit.models import AuditEvent
from tests.factories import (
    CareRecipientFactory,
    IntakeInterviewFactory,
    MembershipFactory,
    make_service_area,
    ready_for_plan,
)
from tests.visits.conftest import oslo, plan_post
from visits.models import Visit, VisitPlan
from visits.planning import PlanFields, frequency_hint, frequency_suggestion, plan_create

pytestmark = pytest.mark.django_db
NOW = oslo(2026, 3, 16, 8, 0)


@pytest.fixture
def fresh(world):
    """A recipient of department A in the intake: no meeting, no customer yet."""
    from tests.training.helpers import clear_for_assignment

    clear_for_assignment(world.home.senior_a)
    clear_for_assignment(world.home.senior_a2)
    make_service_area(world.home.organization)
    return CareRecipientFactory(
        department=world.home.dept_a, name="Olav Ødegård", status=RecipientStatus.READY
    )


def customer(recipient) -> Customer:
    return Customer.objects.create(
        organization_id=recipient.organization_id, recipient=recipient, kind="recipient"
    )


def met(world, recipient, outcome, *, senior=None, q9="", at=NOW):
    interview = IntakeInterviewFactory(
        recipient=recipient,
        senior=senior or world.home.senior_a,
        starts_at=at - dt.timedelta(days=2),
        status=InterviewStatus.COMPLETED,
        completed_at=at - dt.timedelta(days=2),
        outcome=outcome,
        q9_frequency=q9,
    )
    interview.criterion_answers.update(met=False)
    return interview


def create(world, recipient, **fields):
    fields.setdefault("weekdays", (1,))
    fields.setdefault("start_time", dt.time(11))
    fields.setdefault("first_date", NOW.date())
    return plan_create(
        recipient=recipient,
        by=world.home.leader_a,
        fields=PlanFields(senior=world.home.senior_a, **fields),
    )


# --- The rule, from the refusing side ----------------------------------------------------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("outcome", "with_customer", "message"),
    [
        (None, True, "Bli kjent-møtet er ikke gjennomført"),
        (Outcome.DECLINED, True, "Brukeren takket nei"),
        (Outcome.TRY_ANOTHER, True, "Prøv en annen senior"),
        (Outcome.GOOD_MATCH, False, "ingen kunde"),
    ],
)
def test_a_plan_is_refused_without_what_the_intake_needs(
    world, fresh, outcome, with_customer, message
):
    if outcome is not None:
        met(world, fresh, outcome)
    if with_customer:
        customer(fresh)
    with pytest.raises(ValidationError, match=message):
        create(world, fresh)
    with pytest.raises(ValidationError, match="begrunnelse på minst 10 tegn"):
        create(world, fresh, override_reason="Haster")  # too short a reason
    assert not VisitPlan.objects.exists()
    fresh.refresh_from_db()
    assert fresh.status != RecipientStatus.ACTIVE


@time_machine.travel(NOW, tick=False)
def test_a_good_match_and_a_customer_make_the_plan_and_the_recipient_active(world, fresh):
    met(world, fresh, Outcome.GOOD_MATCH)
    customer(fresh)
    plan = create(world, fresh)
    assert plan.override_reason == ""
    fresh.refresh_from_db()
    assert fresh.status == RecipientStatus.ACTIVE
    assert fresh.status_changes.filter(to_status="active", reason="Første besøksplan").exists()
    assert not AuditEvent.objects.filter(action="plan.override").exists()


@time_machine.travel(NOW, tick=False)
def test_an_override_with_a_reason_is_kept_audited_and_shown(world, client_for, fresh):
    plan = create(world, fresh, override_reason="Hastehenvisning fra Bydel Frogner")
    assert plan.override_reason == "Hastehenvisning fra Bydel Frogner"
    event = AuditEvent.objects.get(action="plan.override")
    assert event.details["missing"] == ["interview", "customer"]
    fresh.refresh_from_db()
    assert fresh.status == RecipientStatus.ACTIVE
    leader = client_for(world.home.leader_a)
    card = leader.get(f"/brukere/{fresh.pk}/").content.decode()
    assert "Besøksplan laget uten godkjent Bli kjent-møte" in card
    assert "Hastehenvisning fra Bydel Frogner" in card
    plans = leader.get(f"/brukere/{fresh.pk}/besok/").content.decode()
    assert "Hastehenvisning fra Bydel Frogner" in plans


@time_machine.travel(NOW, tick=False)
def test_the_form_refuses_without_a_reason_and_takes_one(world, client_for, fresh):
    leader = client_for(world.home.leader_a)
    url = f"/brukere/{fresh.pk}/besok/ny-plan/"
    page = leader.get(url).content.decode()
    assert "En besøksplan krever et gjennomført Bli kjent-møte med god match og en kunde." in page
    assert "Begrunnelse for å lage planen likevel" in page
    # Two weeks before Easter: no holiday for the clash check to ask about.
    dates = {"first_date": "2026-03-16", "last_date": "2026-03-27"}
    response = leader.post(url, plan_post(world, **dates))
    assert response.status_code == 200
    assert "Skriv hvorfor planen lages likevel" in response.content.decode()
    assert not VisitPlan.objects.exists()
    response = leader.post(
        url, plan_post(world, **dates, override_reason="Kommunen ber om oppstart nå")
    )
    assert response.status_code == 302
    assert VisitPlan.objects.get().override_reason == "Kommunen ber om oppstart nå"


@time_machine.travel(NOW, tick=False)
def test_a_single_visit_is_a_plan_with_one_date_under_the_same_rule(world, client_for, fresh):
    leader = client_for(world.home.leader_a)
    url = f"/brukere/{fresh.pk}/besok/ny-plan/?enkelt=1"
    single = {
        "senior": world.home.senior_a.pk,
        "start_time": "10:00",
        "duration_minutes": "120",
        "first_date": "2026-03-19",
        "notes": "Følge til legen",
    }
    page = leader.get(url).content.decode()
    assert "Ett enkelt besøk" in page
    assert 'name="weekdays"' not in page
    assert leader.post(url, single).status_code == 200  # refused: no interview
    assert not VisitPlan.objects.exists()
    met(world, fresh, Outcome.GOOD_MATCH)
    customer(fresh)
    assert leader.post(url, single).status_code == 302
    plan = VisitPlan.objects.get()
    assert (plan.first_date, plan.last_date, plan.weekday_list) == (
        dt.date(2026, 3, 19),
        dt.date(2026, 3, 19),
        [3],
    )
    (visit,) = Visit.objects.filter(plan=plan)
    assert visit.starts_at == oslo(2026, 3, 19, 10, 0)
    assert visit.duration_minutes == 120


# --- The plan starts from the interview ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "per_week", "weekdays", "every", "suggestion"),
    [
        ("to ganger i uka", 2, [], 1, "velg to dager"),
        ("2 ganger i uken", 2, [], 1, "velg to dager"),
        ("tre ganger i uka", 3, [], 1, "velg tre dager"),
        ("Tre ganger per uke", 3, [], 1, "velg tre dager"),
        ("hver uke", 1, [], 1, "velg én dag"),
        ("Én gang i uken", 1, [], 1, "velg én dag"),
        ("annenhver uke", 1, [], 2, "velg én dag"),
        ("Annenhver torsdag", 1, [3], 2, "ukedagene er krysset av"),
        ("en gang i måneden", 1, [], 4, "velg én dag"),
        ("Mandag og torsdag", None, [0, 3], 1, "ukedagene er krysset av"),
    ],
)
def test_question_9_is_read_where_it_can_be(text, per_week, weekdays, every, suggestion):
    hint = frequency_hint(text)
    assert (hint["per_week"], hint["weekdays"], hint["every_n_weeks"]) == (
        per_week,
        weekdays,
        every,
    )
    assert frequency_suggestion(text) == f"Ønsket: «{text}» – {suggestion}"


def test_free_text_it_cannot_read_is_only_shown():
    hint = frequency_hint("Når datteren har fri")
    assert not hint["read"]
    assert (hint["weekdays"], hint["every_n_weeks"], hint["per_week"]) == ([], 1, None)
    assert frequency_suggestion("Når datteren har fri") == ""


@time_machine.travel(NOW, tick=False)
def test_the_form_is_prefilled_from_the_good_match(world, client_for, fresh):
    from omsorg.models import ServiceArea

    training = ServiceArea.objects.create(
        organization=world.home.organization, name="Kvalitetsbesøk med trening", is_training=True
    )
    interview = met(
        world, fresh, Outcome.GOOD_MATCH, senior=world.home.senior_a2, q9="to ganger i uka"
    )
    customer(fresh)
    html = (
        client_for(world.home.leader_a).get(f"/brukere/{fresh.pk}/besok/ny-plan/").content.decode()
    )
    assert "Ønsket: «to ganger i uka» – velg to dager" in html
    assert f'<option value="{world.home.senior_a2.pk}" selected>' in html
    assert f"{world.home.senior_a2.user.name} (holdt møtet) er valgt" in html
    assert "Kunde (betaler)" in html
    assert "En besøksplan krever" not in html
    # R2: the criteria were not met, so training is not ticked and the reason is shown.
    assert re.search(rf'value="{training.pk}" id="id_service_areas_\d+">', html)  # unticked
    assert "Ikke oppfylt i Bli kjent-møtet" in html
    interview.criterion_answers.update(met=True)
    html = (
        client_for(world.home.leader_a).get(f"/brukere/{fresh.pk}/besok/ny-plan/").content.decode()
    )
    assert re.search(rf'value="{training.pk}" id="id_service_areas_\d+" checked', html)


@time_machine.travel(NOW, tick=False)
def test_free_text_frequency_is_only_shown(world, client_for, fresh):
    met(world, fresh, Outcome.GOOD_MATCH, q9="Når datteren har fri")
    customer(fresh)
    html = (
        client_for(world.home.leader_a).get(f"/brukere/{fresh.pk}/besok/ny-plan/").content.decode()
    )
    assert '«Når datteren har fri» <span class="muted">(kunne ikke leses' in html
    assert "checked" not in html.split('name="weekdays"')[0][-200:]


@time_machine.travel(NOW, tick=False)
def test_a_senior_no_longer_cleared_is_not_prefilled_and_the_form_says_why(
    world, client_for, fresh
):
    uncleared = MembershipFactory(
        organization=world.home.organization, role="senior", departments=[world.home.dept_a]
    )
    met(world, fresh, Outcome.GOOD_MATCH, senior=uncleared)
    customer(fresh)
    html = (
        client_for(world.home.leader_a).get(f"/brukere/{fresh.pk}/besok/ny-plan/").content.decode()
    )
    assert f"{uncleared.user.name} holdt Bli kjent-møtet, men kan ikke velges: mangler" in html
    assert f'<option value="{uncleared.pk}"' not in html


# --- The card's checklist ----------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_card_shows_the_intake_as_a_checklist_with_the_next_step(world, client_for, fresh):
    leader = client_for(world.home.leader_a)
    html = leader.get(f"/brukere/{fresh.pk}/").content.decode()
    assert "Fra henvendelse til besøk" in html
    for step in ("Pårørende", "Kunde", "Samtykke", "Kartlegging", "Bli kjent", "Utfall"):
        assert f"<strong>{step}</strong>" in html
    # The first step not done is the one primary button: add a relative.
    assert (
        f'<a class="button button--primary" href="/brukere/{fresh.pk}/parorende/ny/">'
        "Legg til pårørende</a>" in html
    )
    assert html.count("button--primary") == 1
    ready_for_plan(fresh)
    from tests.factories import ConsentFactory, RelativeFactory

    RelativeFactory(recipient=fresh)
    ConsentFactory(recipient=fresh)
    from omsorg.models import Screening

    Screening.objects.create(
        organization=world.home.organization,
        recipient=fresh,
        outcome="passed",
        screened_by=world.home.leader_a.user,
    )
    html = leader.get(f"/brukere/{fresh.pk}/").content.decode()
    assert (
        f'<a class="button button--primary" href="/brukere/{fresh.pk}/besok/ny-plan/">'
        "Lag besøksplan</a>" in html
    )
    assert "God match – start besøk med denne senioren" in html


@time_machine.travel(NOW, tick=False)
def test_a_recipient_who_pays_needs_no_relative_to_go_on(world, client_for, fresh):
    """Referred by the municipality, or paying themselves: the checklist does not stop at
    "add a relative" — the next step is the consent."""
    from customers.models import Customer, CustomerKind

    Customer.objects.create(
        organization=world.home.organization,
        recipient=fresh,
        kind=CustomerKind.MUNICIPALITY,
        name="Bærum kommune",
    )
    html = client_for(world.home.leader_a).get(f"/brukere/{fresh.pk}/").content.decode()
    assert "Ingen registrert – ikke nødvendig, kunden er ikke pårørende" in html
    assert f'<a class="button button--primary" href="/brukere/{fresh.pk}/samtykke/ny/">' in html


@time_machine.travel(NOW, tick=False)
def test_the_form_says_who_calls_before_the_first_visit(world, client_for, fresh):
    """Question 3 as the first plan's task: the leader sees who calls before saving."""
    from tests.factories import RelativeFactory

    interview = met(world, fresh, Outcome.GOOD_MATCH)
    customer(fresh)
    url = f"/brukere/{fresh.pk}/besok/ny-plan/"
    leader = client_for(world.home.leader_a)
    interview.q3_prepared_by = "senior"
    interview.save()
    assert "Senioren ringer: ser «Ring før første besøk»" in leader.get(url).content.decode()
    interview.q3_prepared_by = "relative"
    interview.save()
    assert "ingen pårørende med mobilnummer er registrert" in leader.get(url).content.decode()
    RelativeFactory(
        recipient=fresh, name="Lise Ødegård", phone="+4791234567", contact_during_visits=True
    )
    html = leader.get(url).content.decode()
    assert "Pårørende ringer: Lise Ødegård får SMS dagen før første besøk" in html
    # Once the recipient has had a plan, the task is done: the next plan does not say it.
    create(world, fresh)
    assert "Før første besøk" not in leader.get(url).content.decode()
