"""The answer page: public, one answer per link, polite about expired and wrong links, and a
link of one organization opens nothing of another."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache

from evaluations.models import Evaluation
from seniorene.audit.models import AuditEvent
from tests.evaluations.helpers import an_evaluation, customer_relative, oslo

pytestmark = pytest.mark.django_db

TOKEN = "Ab3_" + "x" * 28
SENT = oslo(2026, 3, 2, 9, 10)
LATER = oslo(2026, 3, 3, 19, 30)
ANSWER = {"satisfaction": "4", "helps": "partly", "comment": "Mor gleder seg til tirsdagene."}


@pytest.fixture(autouse=True)
def _no_rate_limit_left_over():
    cache.clear()


@pytest.fixture
def evaluation(world):
    recipient, relative = customer_relative(world.home)
    return an_evaluation(recipient, relative=relative, token=TOKEN, at=SENT)


def url(token: str = TOKEN) -> str:
    return f"/evaluering/{token}/"


def test_the_page_asks_three_questions_in_norwegian_without_a_login(client, evaluation):
    with time_machine.travel(LATER, tick=False):
        response = client.get(url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hvor fornøyd er du med besøkene?" in page
    assert "Hjelper besøkene?" in page
    for words in ("1 – Svært misfornøyd", "3 – Middels", "5 – Svært fornøyd", "Delvis"):
        assert words in page
    assert 'type="radio"' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_one_answer_per_link_a_second_is_refused_and_shows_the_first(client, evaluation):
    with time_machine.travel(LATER, tick=False):
        response = client.post(url(), ANSWER)
        assert response.status_code == 302
        assert response.url == f"/evaluering/{TOKEN}/takk/"
        thanks = client.get(response.url).content.decode()
        assert "Takk for svaret!" in thanks
        assert "Mor gleder seg til tirsdagene." in thanks
        again = client.post(url(), {"satisfaction": "1", "helps": "no", "comment": "Endret"})
    assert again.status_code == 200
    page = again.content.decode()
    assert "Du har allerede svart" in page
    assert "4 – Fornøyd" in page
    assert "Endret" not in page
    evaluation.refresh_from_db()
    assert (evaluation.satisfaction, evaluation.helps, evaluation.comment) == (
        4,
        "partly",
        "Mor gleder seg til tirsdagene.",
    )
    assert evaluation.answered_at == LATER
    assert AuditEvent.objects.filter(action="evaluation.answered").count() == 1


def test_a_missing_answer_is_asked_for_again(client, evaluation):
    with time_machine.travel(LATER, tick=False):
        response = client.post(url(), {"comment": "Bare en kommentar"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Velg hvor fornøyd du er." in page
    assert "Svar ja, delvis eller nei." in page
    evaluation.refresh_from_db()
    assert evaluation.answered_at is None


def test_an_expired_link_says_so_and_takes_no_answer(client, evaluation):
    with time_machine.travel(oslo(2026, 4, 2, 9, 11), tick=False):
        shown = client.get(url())
        posted = client.post(url(), ANSWER)
    assert shown.status_code == posted.status_code == 410
    assert "Lenken er utløpt" in shown.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.answered_at is None


@pytest.mark.parametrize(
    "token",
    [TOKEN[:-1] + "y", TOKEN[:-2], "kort", "A" * 32, TOKEN + "%3Cscript%3E"],
    ids=["one-character-changed", "shortened", "too-short", "unknown", "with-markup"],
)
def test_a_wrong_or_tampered_link_says_so_politely(client, evaluation, token):
    with time_machine.travel(LATER, tick=False):
        shown = client.get(url(token))
        posted = client.post(url(token), ANSWER)
    assert shown.status_code == posted.status_code == 404
    assert "Lenken virker ikke" in shown.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.answered_at is None


def test_a_link_of_another_organization_opens_only_its_own_evaluation(client, world):
    """Both organizations have an evaluation; each link opens its own, answered in its own
    organization, and nothing of the other is shown or changed."""
    mine, _ = customer_relative(world.home)
    theirs, their_relative = customer_relative(world.other)
    home = an_evaluation(mine, token="H" * 32, at=SENT)
    other = an_evaluation(theirs, relative=their_relative, token="B" * 32, at=SENT)
    with time_machine.travel(LATER, tick=False):
        assert client.post(url("B" * 32), ANSWER).status_code == 302
    other.refresh_from_db()
    home.refresh_from_db()
    assert other.answered_at == LATER
    assert home.answered_at is None
    assert (
        AuditEvent.objects.get(action="evaluation.answered").organization
        == world.other.organization
    )


def test_a_link_whose_recipient_was_anonymised_takes_no_answer(client, world, evaluation):
    from customers.services import recipient_anonymise

    recipient = evaluation.recipient
    recipient.status = "ended"
    recipient.save(update_fields=["status"])
    recipient_anonymise(recipient=recipient)
    with time_machine.travel(LATER, tick=False):
        assert client.post(url(), ANSWER).status_code == 410
    assert Evaluation.objects.get().answered_at is None


def test_ending_the_recipient_closes_an_unanswered_link(client, world, client_for, evaluation):
    from customers.services import recipient_change_status

    with time_machine.travel(LATER, tick=False):
        recipient_change_status(
            recipient=evaluation.recipient,
            by=world.home.leader_a,
            to_status="ended",
            reason="Flyttet",
        )
        assert client.post(url(), ANSWER).status_code == 410


def test_the_page_is_rate_limited_per_address(client, evaluation):
    with time_machine.travel(LATER, tick=False):
        answers = [client.get(url("Z" * 32)).status_code for _ in range(31)]
    assert answers[:30] == [404] * 30
    assert answers[30] == 429


def test_a_comment_with_markup_is_shown_as_text_everywhere(client, world, client_for, evaluation):
    with time_machine.travel(LATER, tick=False):
        client.post(url(), {**ANSWER, "comment": "<script>xss(1)</script>"})
        pages = [
            client.get(f"/evaluering/{TOKEN}/takk/"),
            client_for(world.home.leader_a).get("/besok/folg-opp/"),
            client_for(world.home.leader_a).get(f"/brukere/{evaluation.recipient_id}/"),
        ]
    for page in pages:
        html = page.content.decode()
        assert "&lt;script&gt;xss(1)&lt;/script&gt;" in html
        assert "<script>xss(" not in html


@pytest.mark.parametrize(
    "data",
    [
        {"satisfaction": "99", "helps": "yes"},
        {"satisfaction": "0", "helps": "maybe"},
        {"satisfaction": "4\x00", "helps": "yes", "comment": "nul\x00byte"},
        {"satisfaction": "4", "helps": "yes", "comment": "x" * 1001},
    ],
    ids=["out-of-range", "unknown-choices", "nul-bytes", "too-long"],
)
def test_hostile_input_gets_a_form_error_not_a_server_error(client, evaluation, data):
    with time_machine.travel(LATER, tick=False):
        response = client.post(url(), data)
    assert response.status_code == 200
    assert "Noe mangler" in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.answered_at is None
