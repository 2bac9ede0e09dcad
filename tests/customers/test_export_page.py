"""The printable data-access page (innsyn) reads as Norwegian: every section and field
has a label, and moments are shown in Oslo time, not as the export's ISO text.

Found by using issue 16's innsyn page in a browser: the new interview and screening
sections, and the visits and SMS sections, showed their JSON keys ("at", "minutes",
"relative_attends", "visit_plans"…) and times like 2026-03-10T11:00:00+01:00.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
import time_machine

from customers import services
from customers.views import FIELD_LABELS, SECTION_TITLES
from tests.customers.test_data_protection import MOMENT, a_recipient_with_a_whole_history

pytestmark = pytest.mark.django_db

NOT_SECTIONS = {"exported_at", "organization"}
CODE_LIKE = re.compile(r"[a-z_]+")  # a JSON key; the interview's questions are labels already


def test_every_section_and_field_of_the_export_has_a_label(world, client_for):
    """Generic: a section or field an app adds next month without a label fails here."""
    with time_machine.travel(MOMENT, tick=False):
        recipient = a_recipient_with_a_whole_history(world, client_for)
    data = services.recipient_export(recipient=recipient)
    unlabelled = []
    for key, content in data.items():
        if key in NOT_SECTIONS:
            continue
        if key not in SECTION_TITLES:
            unlabelled.append(key)
        groups = content if isinstance(content, list) else [content]
        assert groups, f"the whole history has no {key}: the check would prove nothing"
        for group in groups:
            unlabelled += [
                f"{key}.{field}"
                for field in group
                if CODE_LIKE.fullmatch(field) and field not in FIELD_LABELS
            ]
    assert unlabelled == []


def test_the_page_shows_labels_and_oslo_times_not_keys_and_iso_text(world, client_for):
    with time_machine.travel(MOMENT, tick=False):
        recipient = a_recipient_with_a_whole_history(world, client_for)
        html = client_for(world.home.leader_a).get(f"/brukere/{recipient.pk}/innsyn/")
    assert html.status_code == 200
    page = html.content.decode()
    terms = [unescape(t).strip() for t in re.findall(r"<dt>(.*?)</dt>", page, re.S)]
    titles = [unescape(t).strip() for t in re.findall(r"<h2>(.*?)</h2>", page, re.S)]
    assert terms
    assert titles
    assert [t for t in terms + titles if CODE_LIKE.fullmatch(t)] == []
    for label in ("Tidspunkt", "Minutter", "Pårørende er med", "Resultat", "Besøksbok"):
        assert label in terms + titles
    # The Bli kjent meeting at 11:00 Oslo on 10 March 2026, as people read it elsewhere.
    assert "10.3.2026 11:00" in page
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", page)
