"""A senior fills in and completes the Bli kjent interview on a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ledger.models import MileageEntry
from omsorg import services
from omsorg.models import IntakeInterview, InterviewStatus
from tests.conftest import make_cast
from tests.factories import TEST_PASSWORD, CareRecipientFactory, make_criteria
from tests.training.helpers import clear_for_assignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_senior_completes_the_interview_on_a_phone(phone, tmp_path_factory):
    cast = make_cast("Hjemme")
    screening, _training = make_criteria(cast.organization)
    clear_for_assignment(cast.senior_a)
    recipient = CareRecipientFactory(department=cast.dept_a, name="Åse Ødegård")
    services.screening_record(
        recipient=recipient, by=cast.leader_a, answers={c.pk: (True, "") for c in screening}
    )
    interview = services.interview_book(
        recipient=recipient,
        by=cast.leader_a,
        senior=cast.senior_a,
        starts_at=timezone.now() + timedelta(hours=1),
    )
    shots = tmp_path_factory.mktemp("interview")
    page = phone
    page.goto("/konto/login/")
    page.get_by_label("E-post").fill(cast.senior_a.user.email)
    page.get_by_label("Passord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    page.get_by_role("link", name="Bli kjent", exact=True).first.click()
    page.get_by_role("link", name="Åse Ødegård").click()

    page.get_by_label("Hva liker brukeren særlig å snakke om?").fill("Blomster og båtliv")
    page.get_by_label("Hvor ofte ønskes kvalitetsbesøk?").fill("Hver torsdag")
    # Autosave: the draft is stored without pressing anything.
    page.get_by_text("Utkast lagret").wait_for()
    interview.refresh_from_db()
    assert interview.q5_likes == "Blomster og båtliv"

    for group in page.locator("fieldset").all():
        yes = group.get_by_label("Ja", exact=True)
        if yes.count():
            yes.check()
    page.get_by_label("Kilometer kjørt til møtet", exact=False).fill("7,5")
    page.screenshot(path=str(shots / "interview-filled.png"), full_page=True)
    page.get_by_role("button", name="Fullfør og lever").click()
    page.get_by_text("Skjemaet er levert").wait_for()
    page.screenshot(path=str(shots / "interview-done.png"), full_page=True)

    interview = IntakeInterview.objects.get(pk=interview.pk)
    assert interview.status == InterviewStatus.COMPLETED
    assert str(MileageEntry.objects.get().km) == "7.5"
