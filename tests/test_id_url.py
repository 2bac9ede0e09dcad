"""`{% id_url %}` gives the same links as `{% url %}` for a view of one id."""

from __future__ import annotations

import pytest
from django.template import engines
from django.urls import NoReverseMatch, reverse

from seniorene.templatetags.paths import id_path


@pytest.mark.parametrize("name", ["visits:my_visit", "visits:visit_log", "customers:card"])
def test_it_matches_the_url_tag(name):
    template = engines["django"].from_string(
        "{% load paths %}{% for pk in ids %}{% id_url name pk %} {% url name pk %}|{% endfor %}"
    )
    rendered = template.render({"ids": [1, 42, 987654321, 10**12], "name": name})
    for pair in rendered.strip("|").split("|"):
        fast, slow = pair.split(" ")
        assert fast == slow
    assert reverse(name, args=[42]) in rendered


def test_a_view_of_two_ids_fails_as_the_url_tag_would():
    with pytest.raises(NoReverseMatch):
        id_path("customers:relative_edit", "seniorene.urls", "/")
