"""`{{ obj|display:"field" }}` says what `get_field_display` says, in the active language."""

from __future__ import annotations

import pytest
from django.utils import translation

from seniorene.templatetags.choices import display

pytestmark = pytest.mark.django_db


def test_display_is_get_display_in_each_language(world):
    leader = world.home.leader_a
    labels = {}
    for language in ("nb", "en", "nb"):
        with translation.override(language):
            labels[language] = display(leader, "role")
            assert labels[language] == leader.get_role_display()
    assert labels["nb"] != labels["en"]  # one table per language, not the first one cached


def test_display_of_a_value_outside_the_choices_is_the_value(world):
    leader = world.home.leader_a
    leader.role = "ukjent"
    assert display(leader, "role") == "ukjent"
    assert display(None, "role") == ""


def test_display_of_no_object_is_empty():
    """`{{ interview.missing|display:"status" }}`: a missing attribute resolves to "", and the
    page shows nothing rather than failing."""
    assert display(None, "status") == ""
    assert display("", "status") == ""
