"""A relative answers the evaluation on a phone: no login, large touch targets, no axe
violations on the questions, the thank-you or the "already answered" page.

The test and its live server (one process) travel to Tuesday 3 March 2026 19.30 Oslo, the
day after the SMS went, with the clock running.
"""

from __future__ import annotations

import pytest
import time_machine

from evaluations.models import Evaluation
from tests.e2e.proof import axe_violations, small_targets
from tests.evaluations.helpers import an_evaluation, customer_relative, oslo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKEN = "Phone_" + "k" * 26


def assert_accessible(page, name: str) -> None:
    problems = [f"{name}: {v['impact']} {v['id']}: {v['help']}" for v in axe_violations(page)]
    measured, small = small_targets(page)
    assert problems == [], "\n".join(problems)
    assert small == [], "\n".join(small)
    assert measured > 0


def test_a_relative_answers_the_three_questions_on_a_phone(world_tx, phone):
    recipient, relative = customer_relative(world_tx)
    an_evaluation(recipient, relative=relative, token=TOKEN, at=oslo(2026, 3, 2, 9, 10))
    with time_machine.travel(oslo(2026, 3, 3, 19, 30), tick=True):
        phone.goto(f"/evaluering/{TOKEN}/")
        phone.get_by_role("heading", name="Hvordan går besøkene?").wait_for()
        assert phone.locator("html").get_attribute("lang") == "nb"
        assert_accessible(phone, "questions")
        # Large text: at least 20 px on the relative's phone.
        size = phone.locator("legend").first.evaluate("e => getComputedStyle(e).fontSize")
        assert float(size.rstrip("px")) >= 20
        phone.get_by_label("4 – Fornøyd").check()
        phone.get_by_label("Delvis").check()
        phone.get_by_label("Vil du si noe mer? (frivillig)").fill("Mor gleder seg hver tirsdag.")
        phone.get_by_role("button", name="Send svaret").click()
        phone.get_by_role("heading", name="Takk for svaret!").wait_for()
        assert phone.get_by_text("Mor gleder seg hver tirsdag.").is_visible()
        assert_accessible(phone, "thanks")
        # The same link again: the answer already given, nothing to fill in.
        phone.goto(f"/evaluering/{TOKEN}/")
        phone.get_by_role("heading", name="Du har allerede svart").wait_for()
        assert phone.locator("form").count() == 1  # only the footer's language switch
    evaluation = Evaluation.objects.get()
    assert (evaluation.satisfaction, evaluation.helps) == (4, "partly")
