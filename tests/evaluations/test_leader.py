"""What the leader sees: the answers on *Følg opp* (low scores and comments first, until
marked read), the history on the card, the figures; anonymisation and the innsyn export."""

from __future__ import annotations

import json
from datetime import date

import pytest
import time_machine

from customers.services import recipient_anonymise
from evaluations.figures import evaluation_figures
from evaluations.models import Evaluation
from tests.evaluations.helpers import an_evaluation, customer_relative, oslo
from tests.factories import CareRecipientFactory

pytestmark = pytest.mark.django_db

SENT = oslo(2026, 3, 2, 9, 10)
NOW = oslo(2026, 3, 20, 10)


def answered(recipient, *, token, satisfaction, helps="yes", comment="", at, relative=None):
    return an_evaluation(
        recipient,
        relative=relative,
        token=token,
        at=SENT,
        answered_at=at,
        satisfaction=satisfaction,
        helps=helps,
        comment=comment,
    )


def follow_up_order(client) -> list[int]:
    with time_machine.travel(NOW, tick=False):
        response = client.get("/besok/folg-opp/")
    assert response.status_code == 200
    page = response.content.decode()
    import re

    return [int(pk) for pk in re.findall(r'data-evaluation="(\d+)"', page)]


def test_follow_up_lists_low_scores_and_comments_first_until_marked_read(world, client_for):
    home = world.home
    people = [CareRecipientFactory(department=home.dept_a, status="active") for _ in range(4)]
    happy = answered(people[0], token="a" * 32, satisfaction=5, at=oslo(2026, 3, 10, 9))
    comment = answered(
        people[1], token="b" * 32, satisfaction=4, comment="Hyggelig senior", at=oslo(2026, 3, 5, 9)
    )
    low = answered(people[2], token="c" * 32, satisfaction=2, helps="no", at=oslo(2026, 3, 3, 9))
    waiting = an_evaluation(people[3], token="d" * 32, at=SENT)  # not answered: not listed
    elsewhere = answered(
        CareRecipientFactory(department=home.dept_b, status="active"),
        token="e" * 32,
        satisfaction=1,
        at=oslo(2026, 3, 4, 9),
    )
    client = client_for(home.leader_a)
    assert follow_up_order(client) == [low.pk, comment.pk, happy.pk]
    assert waiting.pk not in follow_up_order(client_for(home.lead))
    assert follow_up_order(client_for(home.lead)) == [elsewhere.pk, low.pk, comment.pk, happy.pk]
    with time_machine.travel(NOW, tick=False):
        response = client.post(f"/avdeling/evaluering/{low.pk}/lest/")
    assert response.status_code == 302
    assert response.url == "/besok/folg-opp/"
    assert follow_up_order(client) == [comment.pk, happy.pk]
    low.refresh_from_db()
    assert (low.read_at, low.read_by) == (NOW, home.leader_a.user)


def test_follow_up_shows_the_years_figures(world, client_for):
    home = world.home
    recipient, relative = customer_relative(home)
    answered(recipient, relative=relative, token="f" * 32, satisfaction=2, at=oslo(2026, 3, 3, 9))
    an_evaluation(
        CareRecipientFactory(department=home.dept_a, status="active"), token="g" * 32, at=SENT
    )
    with time_machine.travel(NOW, tick=False):
        page = client_for(home.leader_a).get("/besok/folg-opp/").content.decode()
    assert "Siste 365 dager: 2 sendt, 1 besvart (50 %) · snitt 2,0 av 5." in page
    assert "Svar på evaluering (1)" in page


def test_the_card_shows_the_history(world, client_for):
    home = world.home
    recipient, relative = customer_relative(home)
    answered(
        recipient,
        relative=relative,
        token="h" * 32,
        satisfaction=3,
        helps="partly",
        comment="Kunne vært oftere",
        at=oslo(2026, 3, 3, 9),
    )
    an_evaluation(recipient, relative=relative, token="i" * 32, at=oslo(2026, 3, 19, 9), number=2)
    with time_machine.travel(NOW, tick=False):
        page = client_for(home.leader_a).get(f"/brukere/{recipient.pk}/").content.decode()
        senior = client_for(home.senior_a).get(f"/brukere/{recipient.pk}/")
    assert "Evaluering" in page
    assert "3 av 5 – Middels" in page
    assert "Kunne vært oftere" in page
    assert "Venter på svar" in page
    assert "Kunne vært oftere" not in senior.content.decode()


def test_the_figures_on_built_data(world):
    home, other = world.home, world.other
    a = [CareRecipientFactory(department=home.dept_a, status="active") for _ in range(5)]
    for n, (score, helps) in enumerate([(5, "yes"), (4, "yes"), (2, "partly"), (4, "no")]):
        answered(a[n], token=f"{n}" * 32, satisfaction=score, helps=helps, at=oslo(2026, 3, 5, 9))
    an_evaluation(a[4], token="u" * 32, at=SENT)
    # Outside: another department, another period, another organization.
    answered(
        CareRecipientFactory(department=home.dept_b, status="active"),
        token="v" * 32,
        satisfaction=1,
        at=oslo(2026, 3, 5, 9),
    )
    an_evaluation(
        CareRecipientFactory(department=home.dept_a, status="active"),
        token="w" * 32,
        at=oslo(2026, 1, 31, 23, 30),
    )
    an_evaluation(CareRecipientFactory(department=other.dept_a), token="x" * 32, at=SENT)
    figures = evaluation_figures(
        organization_id=home.organization.pk,
        department_ids=[home.dept_a.pk],
        start=date(2026, 2, 1),
        end=date(2026, 3, 31),
    )
    assert (figures.sent, figures.answered, figures.answer_percent) == (5, 4, 80)
    assert figures.mean_satisfaction == 3.75
    assert figures.distribution == {1: 0, 2: 1, 3: 0, 4: 2, 5: 1}
    assert figures.helps == {"yes": 2, "partly": 1, "no": 1}
    everything = evaluation_figures(
        organization_id=home.organization.pk,
        department_ids=None,
        start=date(2026, 1, 31),
        end=date(2026, 3, 31),
    )
    assert (everything.sent, everything.answered) == (7, 5)
    empty = evaluation_figures(
        organization_id=home.organization.pk,
        department_ids=None,
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
    )
    assert (empty.sent, empty.answer_rate, empty.mean_satisfaction) == (0, None, None)


def test_anonymisation_empties_the_comment_and_keeps_the_score(world):
    recipient, relative = customer_relative(world.home)
    evaluation = answered(
        recipient,
        relative=relative,
        token="j" * 32,
        satisfaction=2,
        comment="Åse liker ikke Ragnhild",
        at=oslo(2026, 3, 3, 9),
    )
    recipient.status = "ended"
    recipient.save(update_fields=["status"])
    recipient_anonymise(recipient=recipient)
    evaluation.refresh_from_db()
    assert (evaluation.comment, evaluation.satisfaction, evaluation.helps) == ("", 2, "yes")


def test_the_innsyn_export_holds_every_evaluation_with_labels(world, client_for):
    home = world.home
    recipient, relative = customer_relative(home)
    answered(
        recipient,
        relative=relative,
        token="k" * 32,
        satisfaction=4,
        helps="partly",
        comment="Fint",
        at=oslo(2026, 3, 3, 9),
    )
    client = client_for(home.leader_a)
    data = json.loads(client.get(f"/brukere/{recipient.pk}/innsyn.json").content)
    assert data["evaluations"] == [
        {
            "person": "Ingrid Lunde",
            "why": "Etter fjerde besøk",
            "sent": "2026-03-02T09:10:00+01:00",
            "expires": "2026-04-01T09:10:00+02:00",
            "answered_at": "2026-03-03T09:00:00+01:00",
            "satisfaction": 4,
            "helps": "Delvis",
            "comment": "Fint",
        }
    ]
    page = client.get(f"/brukere/{recipient.pk}/innsyn/").content.decode()
    assert "Hvor fornøyd (1–5)" in page
    assert "Hvorfor spurt" in page
    assert Evaluation.objects.count() == 1


def test_the_demo_has_one_answer_to_follow_up_and_one_waiting(db):
    from io import StringIO

    from django.core.management import call_command
    from django.test import override_settings

    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=StringIO())
        call_command("seed_demo", stdout=StringIO())
    answered_rows = Evaluation.objects.filter(answered_at__isnull=False)
    assert answered_rows.count() == 1
    assert answered_rows.get().comment
    assert answered_rows.get().relative.name == "Ingrid Ødegaard"
    assert Evaluation.objects.filter(answered_at__isnull=True).count() == 1
