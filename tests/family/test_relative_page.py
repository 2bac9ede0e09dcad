"""The relative's own page: the link's life, the one-time code, what the page shows and
never shows, consents withdrawn on the page, the tenant wall and the rate limit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from customers.models import Consent, ConsentPurpose, RelativeDevice, RelativeLink
from customers.relative_access import (
    CODE_ATTEMPTS,
    DEVICE_COOKIE,
    link_issue,
    relative_page_url,
)
from messaging.models import SmsMessage, SmsPurpose
from seniorene.audit.models import AuditEvent
from tests.factories import IntakeInterviewFactory, VisitFactory
from tests.family.helpers import (
    COULD_CHANGE,
    MOMENT,
    NOT_SHARED,
    SENIOR_NAME,
    SENIOR_PHONE,
    SHARED,
    make_family,
    sent_code,
    trust_device,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Rate limits count per address in the cache: every test starts from none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def at_moment():
    with time_machine.travel(MOMENT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def family(world, at_moment):
    return make_family(world.home)


def page_text(client: Client, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.content.decode()


# --- The link and the one-time code ---------------------------------------------------


def test_a_new_phone_needs_the_code_sent_to_the_number_on_file_then_goes_straight_in(
    family, client
):
    status, text = page_text(client, family.url)
    assert status == 200
    assert "Bekreft at det er deg" in text
    assert SHARED not in text
    assert "Astrid" not in text
    assert "slutter på 67" in text  # the end of the relative's number, nothing more

    assert client.post(f"{family.url}kode/").status_code == 302
    message = SmsMessage.objects.get(purpose=SmsPurpose.ACCESS_CODE_SMS)
    assert message.to_phone == "+4791234567"
    assert message.relative_id == family.relative.pk
    code = sent_code(family.relative)
    response = client.post(f"{family.url}kode/sjekk/", {"code": code[:3] + " " + code[3:]})
    assert response.status_code == 302
    assert response.cookies[DEVICE_COOKIE]["httponly"]
    assert response.cookies[DEVICE_COOKIE]["path"] == "/p/"

    status, text = page_text(client, family.url)
    assert status == 200
    assert "Besøkene hos Astrid" in text
    # The same phone next time: straight in, with a fresh link from the next SMS too.
    newer = link_issue(relative=family.relative, now=MOMENT + timedelta(days=1))
    status, text = page_text(client, f"/p/{newer}/")
    assert "Besøkene hos Astrid" in text
    assert RelativeDevice.objects.filter(relative=family.relative).count() == 1


def test_a_wrong_code_an_old_code_and_too_many_tries_are_refused(family, client, at_moment):
    client.post(f"{family.url}kode/")
    code = sent_code(family.relative)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    response = client.post(f"{family.url}kode/sjekk/", {"code": wrong})
    assert response.status_code == 400
    assert "Koden stemmer ikke" in response.content.decode()

    # Eleven minutes later the right code is too old.
    at_moment.move_to(MOMENT + timedelta(minutes=11))
    response = client.post(f"{family.url}kode/sjekk/", {"code": code})
    assert response.status_code == 400
    assert "for gammel" in response.content.decode()
    assert "Besøkene hos" not in page_text(client, family.url)[1]

    # A new code, then too many wrong tries: even the right one is refused after that.
    client.post(f"{family.url}kode/")
    code = sent_code(family.relative)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(CODE_ATTEMPTS):
        client.post(f"{family.url}kode/sjekk/", {"code": wrong})
    response = client.post(f"{family.url}kode/sjekk/", {"code": code})
    assert "For mange forsøk" in response.content.decode()
    assert not RelativeDevice.objects.filter(relative=family.relative).exists()


def test_the_code_goes_at_once_even_in_the_quiet_hours(world, client):
    night = MOMENT.replace(hour=23, minute=30)
    with time_machine.travel(night, tick=False):
        family = make_family(world.home, now=night)
        client.post(f"{family.url}kode/")
    message = SmsMessage.objects.get(purpose=SmsPurpose.ACCESS_CODE_SMS)
    assert message.send_after == night


def test_the_link_expires_after_30_days_unless_a_new_sms_renews_it(world, client):
    with time_machine.travel(MOMENT, tick=False):
        family = make_family(world.home)
        trust_device(client, family)
    with time_machine.travel(MOMENT + timedelta(days=29, hours=23), tick=False):
        assert page_text(client, family.url)[0] == 200
    with time_machine.travel(MOMENT + timedelta(days=30, minutes=1), tick=False):
        status, text = page_text(client, family.url)
    assert status == 410
    assert "Lenken er utløpt" in text
    assert "Send meg en ny lenke" in text
    assert "Astrid" not in text

    # A second relative's link: an SMS on day 20 renews the first link to day 50.
    with time_machine.travel(MOMENT, tick=False):
        second = make_family(world.home, phone="+4791234500")
    with time_machine.travel(MOMENT + timedelta(days=20), tick=False):
        url = relative_page_url(relative=second.relative, now=MOMENT + timedelta(days=20))
    assert url is not None
    assert "/p/" in url
    old = RelativeLink.objects.filter(relative=second.relative).order_by("pk").first()
    assert old.expires_at == MOMENT + timedelta(days=50)
    other = Client()
    with time_machine.travel(MOMENT + timedelta(days=45), tick=False):
        trust_device(other, second)
        assert page_text(other, second.url)[0] == 200


def test_an_expired_link_sends_a_new_one_to_the_number_on_file(world, client):
    with time_machine.travel(MOMENT, tick=False):
        family = make_family(world.home)
    with time_machine.travel(MOMENT + timedelta(days=31), tick=False):
        response = client.post(f"{family.url}ny-lenke/")
    assert response.status_code == 200
    message = SmsMessage.objects.get(purpose=SmsPurpose.ACCESS_CODE_SMS)
    assert message.to_phone == "+4791234567"
    assert "/p/" in message.body
    assert RelativeLink.objects.filter(relative=family.relative).count() == 2


def test_a_revoked_link_is_refused_and_the_leader_revoked_it_from_the_card(
    family, client, client_for
):
    trust_device(client, family)
    leader = client_for(family.recipient.contact_person)
    card = leader.get(f"/brukere/{family.recipient.pk}/").content.decode()
    assert "Lenken virker" in card
    response = leader.post(
        f"/brukere/{family.recipient.pk}/parorende/{family.relative.pk}/side/trekk/"
    )
    assert response.status_code == 302
    status, text = page_text(client, family.url)
    assert status == 403
    assert "trukket tilbake" in text
    assert "Astrid" not in text
    assert AuditEvent.objects.filter(action="relative_page.revoked").exists()
    assert "Trukket tilbake" in leader.get(f"/brukere/{family.recipient.pk}/").content.decode()
    # The device is no longer trusted either: a new link asks for the code again.
    fresh = link_issue(relative=family.relative, now=MOMENT)
    assert "Bekreft at det er deg" in page_text(client, f"/p/{fresh}/")[1]


def test_a_tampered_link_says_so_politely_and_offers_a_new_link(family, client):
    trust_device(client, family)
    tampered = family.token[:-1] + ("A" if family.token[-1] != "A" else "B")
    status, text = page_text(client, f"/p/{tampered}/")
    assert status == 404
    assert "Lenken virker ikke" in text
    assert "Mobilnummeret ditt" in text
    assert "Astrid" not in text
    assert page_text(client, "/p/ikke-en-lenke/")[0] == 404


def test_another_relatives_link_on_a_trusted_phone_asks_for_that_relatives_code(
    world, client, at_moment
):
    mine = make_family(world.home)
    theirs = make_family(world.home, phone="+4791234599")
    trust_device(client, mine)
    status, text = page_text(client, theirs.url)
    assert "Bekreft at det er deg" in text
    assert "slutter på 99" in text
    client.post(f"{theirs.url}kode/")
    message = SmsMessage.objects.filter(purpose=SmsPurpose.ACCESS_CODE_SMS).latest("pk")
    assert message.to_phone == "+4791234599"
    # Their visits cannot be reached through my link either.
    response = client.get(f"{mine.url}besok/{theirs.later.pk}/")
    assert response.status_code == 404


def test_relative_page_url_is_none_without_consent_number_or_when_ended(family):
    relative = family.relative
    assert relative_page_url(relative=relative, now=MOMENT).startswith("http")
    relative.phone = ""
    assert relative_page_url(relative=relative, now=MOMENT) is None
    relative.refresh_from_db()
    Consent.objects.filter(relative=relative).update(withdrawn_at=MOMENT)
    assert relative_page_url(relative=relative, now=MOMENT + timedelta(seconds=1)) is None


# --- What the page shows, and never shows -----------------------------------------------


def test_the_page_shows_visits_notebook_contact_and_consents_and_nothing_else(
    family, client, world
):
    IntakeInterviewFactory(recipient=family.recipient, senior=family.senior, q5_likes="Båtliv")
    stranger = make_family(world.home, phone="+4791234511")
    stranger_visit = VisitFactory(
        recipient=stranger.recipient,
        senior=world.home.senior_a2,
        starts_at=MOMENT + timedelta(days=2),
    )
    trust_device(client, family)
    status, text = page_text(client, family.url)
    assert status == 200
    assert "onsdag 10. mars" in text  # the soon visit, Oslo date
    assert "kl. 15.00" in text
    assert "lørdag 13. mars" in text
    assert "Ragnhild kommer" in text
    assert "Solbakken" not in text
    assert SENIOR_PHONE not in text
    assert "41 23 45 67" not in text
    assert SHARED in text
    assert NOT_SHARED not in text
    assert COULD_CHANGE not in text
    assert "Båtliv" not in text
    assert "tel:+4799887766" in text  # the contact person's call button
    assert family.recipient.contact_person.user.name in text
    assert "Oppsummering etter besøk på SMS" in text
    assert "Deling av besøksboken" in text
    assert "fredag 12. mars" not in text  # the stranger's visit
    assert f"/besok/{stranger_visit.pk}/" not in text
    assert "Astrid Hansen" not in text  # first name only
    assert SENIOR_NAME not in text
    opened = AuditEvent.objects.filter(action="relative_page.opened")
    assert opened.count() == 1
    assert opened.get().object_id == str(family.relative.pk)


def test_consent_withdrawn_between_the_sms_and_the_click_hides_the_notebook(
    family, client, at_moment
):
    trust_device(client, family)
    assert SHARED in page_text(client, family.url)[1]
    Consent.objects.filter(
        relative=family.relative, purpose=ConsentPurpose.NOTEBOOK_SHARING
    ).update(withdrawn_at=MOMENT + timedelta(minutes=1))
    at_moment.move_to(MOMENT + timedelta(minutes=2))
    status, text = page_text(client, family.url)
    assert status == 200
    assert SHARED not in text
    assert "Fra besøksboken" not in text


def test_the_relative_withdraws_a_consent_on_the_page(family, client):
    trust_device(client, family)
    consent = Consent.objects.get(relative=family.relative, purpose=ConsentPurpose.NOTEBOOK_SHARING)
    response = client.post(f"{family.url}samtykke/{consent.pk}/trekk/")
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at == MOMENT
    assert consent.withdrawn_by is None
    assert consent.withdrawal_note == "trukket av pårørende på egen side"
    event = AuditEvent.objects.get(action="consent.withdrawn")
    assert event.actor is None
    assert SHARED not in page_text(client, family.url)[1]
    # Withdrawing the summary consent closes the page.
    summary = Consent.objects.get(
        relative=family.relative, purpose=ConsentPurpose.VISIT_SUMMARY_SMS
    )
    client.post(f"{family.url}samtykke/{summary.pk}/trekk/")
    status, text = page_text(client, family.url)
    assert status == 403
    assert "ikke tilgjengelig" in text


def test_a_consent_of_someone_else_cannot_be_withdrawn(family, client, world):
    trust_device(client, family)
    other = make_family(world.home, phone="+4791234522")
    theirs = Consent.objects.filter(relative=other.relative).first()
    assert client.post(f"{family.url}samtykke/{theirs.pk}/trekk/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None


# --- A new link by number, and the rate limit -------------------------------------------


def test_a_new_link_goes_only_to_a_known_number_and_the_answer_is_the_same(family, client):
    known = client.post("/p/ny-lenke/", {"phone": "912 34 567"})
    unknown = client.post("/p/ny-lenke/", {"phone": "+47 400 00 000"})
    assert known.status_code == unknown.status_code == 200

    def without_csrf(response) -> str:  # the masked CSRF token differs on every page
        return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())

    assert without_csrf(known) == without_csrf(unknown)
    messages = list(SmsMessage.objects.filter(purpose=SmsPurpose.ACCESS_CODE_SMS))
    assert [m.to_phone for m in messages] == ["+4791234567"]


def test_a_known_number_in_two_organizations_gets_each_its_own_link(world, client, at_moment):
    here = make_family(world.home)
    there = make_family(world.other)
    client.post("/p/ny-lenke/", {"phone": "+4791234567"})
    sent = SmsMessage.objects.filter(purpose=SmsPurpose.ACCESS_CODE_SMS)
    assert sorted(m.organization_id for m in sent) == sorted(
        [here.recipient.organization_id, there.recipient.organization_id]
    )


def test_the_public_pages_are_rate_limited(family, client):
    statuses = [client.get(family.url).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    assert "Vent litt" in client.get("/p/ikke-en-lenke-men-lang-nok-til-sjekk/").content.decode()


def test_asking_for_codes_is_limited_per_relative(family, client):
    for _ in range(3):
        assert client.post(f"{family.url}kode/").status_code == 302
    assert client.post(f"{family.url}kode/").status_code == 429
    assert SmsMessage.objects.filter(purpose=SmsPurpose.ACCESS_CODE_SMS).count() == 3


# --- The tenant wall --------------------------------------------------------------------


def test_a_link_of_one_organization_never_opens_anything_of_another(world, client, at_moment):
    home = make_family(world.home)
    other = make_family(world.other, phone="+4791234533")
    trust_device(client, home)
    for url in (
        f"{home.url}besok/{other.later.pk}/",
        f"{home.url}besok/{other.soon.pk}/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "cancel", "note": "x"}).status_code == 404
    consent = Consent.objects.filter(relative=other.relative).first()
    assert client.post(f"{home.url}samtykke/{consent.pk}/trekk/").status_code == 404
    other.later.refresh_from_db()
    assert other.later.status == "planned"
    # The device of one organization is no device of the other.
    assert "Bekreft at det er deg" in page_text(client, other.url)[1]


# --- Hostile input on the public pages (test_escaping walks only pages behind a login) ----

HOSTILE = ('<script>alert("x")</script>', "\x00", "a" * 5000, "' OR 1=1 --", "١٢٣٤٥٦")


def test_hostile_input_on_the_public_pages_is_refused_politely_and_escaped(family, client):
    from django.test import Client as RawClient

    raw = RawClient(raise_request_exception=False)
    trust_device(raw, family)
    targets = [
        (f"{family.url}kode/sjekk/", "code"),
        ("/p/ny-lenke/", "phone"),
        (f"{family.url}besok/{family.later.pk}/", "note"),
        (f"{family.url}besok/{family.later.pk}/", "wished_time"),
    ]
    for value in HOSTILE:
        cache.clear()
        for url, field in targets:
            data = {"action": "move", field: value}
            response = raw.post(url, data)
            assert response.status_code < 500, (url, field, value[:20])
            assert "<script>alert" not in response.content.decode()
        for url in (f"/p/{value[:90]}/", f"{family.url}besok/99999999/"):
            response = raw.get(url)
            assert response.status_code in {404, 400}, url
