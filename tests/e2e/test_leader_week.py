"""The leader's week in Chromium (issue 19): visits and Bli kjent meetings, start–end
times, today marked, and no label broken mid-word at 1280 px or at 390 px; axe passes."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from omsorg.models import IntakeInterview, InterviewStatus
from tests.conftest import make_cast
from tests.e2e.proof import DESKTOP, PHONE, axe_violations, open_as
from tests.factories import CareRecipientFactory, VisitFactory, ready_for_plan
from tests.training.helpers import clear_for_assignment
from visits.civil_time import local_datetime, week_start
from visits.models import WEEKDAYS, Visit, VisitPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WEEKDAY_NAMES = {number: str(name) for number, name in WEEKDAYS}

# Every word in the grid whose letters lie on more than one line ("Gjennomf/ørt").
BROKEN_WORDS = """() => {
  const broken = [];
  const walker = document.createTreeWalker(
    document.querySelector('.week-grid'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    for (const m of text.matchAll(/[^\\s–-]+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""


# Every label whose text does not fit in its box (or whose box sticks out of the visit).
OVERFLOWING = """() => [...document.querySelectorAll('.week-grid .badge')].filter(b =>
    b.scrollWidth > b.clientWidth + 1
    || b.getBoundingClientRect().right > b.parentElement.getBoundingClientRect().right + 1
  ).map(b => b.textContent)"""


def test_the_week_reads_well_on_a_desk_and_a_phone(browser, live_server, tmp_path_factory):
    cast = make_cast("Hjemme")
    for senior, name in ((cast.senior_a, "Andreas-Kjell Gulbrandsen"), (cast.senior_a2, "Eva Li")):
        senior.user.name = name  # fixed names: a long one, and a short one
        senior.user.save()
    today = timezone.localdate()
    monday = week_start(today)
    tuesday = monday + dt.timedelta(days=1)
    home = CareRecipientFactory(department=cast.dept_a, status="active", name="Åse Ødegård")
    other = CareRecipientFactory(
        department=cast.dept_a, status="active", name="Kristoffer Kristiansen"
    )
    for day, status in (
        (monday, "logged"),
        (tuesday, "planned"),
        (monday + dt.timedelta(days=2), "cancelled"),
    ):
        VisitFactory(
            recipient=home,
            senior=cast.senior_a,
            starts_at=local_datetime(day, dt.time(10)),
            status=status,
            cancelled_at=timezone.now() if status == "cancelled" else None,
            cancel_kind="customer" if status == "cancelled" else "",
        )
    VisitFactory(  # a double booking on Tuesday
        recipient=other, senior=cast.senior_a, starts_at=local_datetime(tuesday, dt.time(10, 30))
    )
    for hour, status in ((13, InterviewStatus.BOOKED), (15, InterviewStatus.CANCELLED)):
        IntakeInterview.objects.create(
            organization=cast.organization,
            recipient=other,
            senior=cast.senior_a,
            starts_at=local_datetime(tuesday, dt.time(hour)),
            booked_by=cast.leader_a.user,
            status=status,
        )
    folder = Path(os.environ.get("PROOF_DIR") or tmp_path_factory.mktemp("week"))
    page = open_as(browser, live_server, cast.leader_a, phone=False)
    page.goto(f"/besok/uke/?avdeling={cast.dept_a.pk}")
    page.get_by_role("heading", name="Ukeplan: Hjemme A").wait_for()
    assert page.locator('th[aria-current="date"]').count() == 1
    assert "I dag" in page.locator('th[aria-current="date"]').inner_text()
    assert page.get_by_text("10.00–11.00").count() >= 3
    assert page.locator(".visit-chip--meeting").count() == 2
    assert page.get_by_text("Gjennomført", exact=True).count() == 1
    for label, size in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(folder / f"week-{label}.png"), full_page=True)
        assert page.evaluate(BROKEN_WORDS) == [], label
        assert page.evaluate(OVERFLOWING) == [], label
        if label == "1280":  # the whole week without scrolling sideways on a desk
            wrap = page.locator(".table-wrap")
            assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")
        assert axe_violations(page) == [], label
    page.set_viewport_size(DESKTOP)
    page.get_by_label("Vis").select_option("conflicts")
    page.get_by_role("button", name="Vis", exact=True).click()
    page.get_by_text("besøk og møter med konflikt").wait_for()
    assert page.locator(".visit-chip").count() == 2  # the two visits at once on Tuesday
    page.screenshot(path=str(folder / "week-conflicts-1280.png"), full_page=True)
    assert axe_violations(page) == []


def test_the_leader_sees_a_plans_clashes_and_saves_it_anyway(browser, live_server):
    """The plan form lists the clashes before saving (axe-clean), "Lagre likevel" saves;
    and the visit page says why nobody can take the visit."""
    cast = make_cast("Hjemme")
    for senior in (cast.senior_a, cast.senior_a2):
        clear_for_assignment(senior)
    recipient = CareRecipientFactory(
        department=cast.dept_a, status="active", name="Åse Ødegård", seniors=[cast.senior_a]
    )
    ready_for_plan(recipient)  # a good-match Bli kjent and a customer: no plan without them
    other = CareRecipientFactory(department=cast.dept_a, status="active", name="Odd Olsen")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    IntakeInterview.objects.create(
        organization=cast.organization,
        recipient=other,
        senior=cast.senior_a,
        starts_at=local_datetime(tomorrow, dt.time(11, 30)),
        booked_by=cast.leader_a.user,
        status=InterviewStatus.BOOKED,
    )
    VisitFactory(  # senior_a2 is busy at the same time
        recipient=other, senior=cast.senior_a2, starts_at=local_datetime(tomorrow, dt.time(11))
    )
    page = open_as(browser, live_server, cast.leader_a, phone=False)
    page.goto(f"/brukere/{recipient.pk}/besok/ny-plan/")
    page.get_by_label("Senior:", exact=True).select_option(str(cast.senior_a.pk))
    page.get_by_label(WEEKDAY_NAMES[tomorrow.weekday()], exact=True).check()
    page.get_by_label("Klokkeslett:").fill("11:00")
    page.get_by_label("Første dato:").fill(tomorrow.isoformat())
    page.get_by_label("Siste dato (valgfritt):").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Lag planen").click()
    page.get_by_text("Senioren har et Bli kjent-møte 11.30–12.30").wait_for()
    assert axe_violations(page) == []
    assert not VisitPlan.objects.exists()
    page.get_by_label("Lagre likevel").check()
    page.get_by_role("button", name="Lag planen").click()
    page.get_by_text("Besøksplanen er lagret").wait_for()
    assert VisitPlan.objects.count() == 1

    visit = Visit.objects.get(plan__recipient=recipient)
    page.goto(f"/besok/{visit.pk}/")
    page.get_by_text("Alle seniorene som kan ta besøket, er opptatt eller borte da:").wait_for()
    assert page.get_by_text("Senioren har et annet besøk 11.00–12.00").count() >= 1
    assert axe_violations(page) == []
