"""The recipient list: Norwegian order, filters, departments, constant query count."""

from __future__ import annotations

import re

import pytest

from customers.models import RecipientStatus
from tests.factories import CareRecipientFactory

pytestmark = pytest.mark.django_db


def names_on(html: str) -> list[str]:
    return re.findall(r'<td><a href="/brukere/\d+/">([^<]+)</a></td>', html)


def test_names_sort_the_norwegian_way(world, client_for):
    for name in ["Åse Lunde", "Zahra Ali", "Øystein Berg", "Anne Aas", "Ærlig Dahl", "Bjørn Ek"]:
        CareRecipientFactory(department=world.home.dept_a, name=name)
    html = client_for(world.home.leader_a).get("/brukere/").content.decode()
    assert names_on(html) == [
        "Anne Aas",
        "Bjørn Ek",
        "Zahra Ali",
        "Ærlig Dahl",
        "Øystein Berg",
        "Åse Lunde",
    ]


def test_a_leader_sees_their_departments_and_the_lead_sees_all(world, client_for):
    a = CareRecipientFactory(department=world.home.dept_a, name="Anna Avdeling A")
    b = CareRecipientFactory(department=world.home.dept_b, name="Berit Avdeling B")
    CareRecipientFactory(department=world.other.dept_a, name="Ola Annen Org")
    assert names_on(client_for(world.home.leader_a).get("/brukere/").content.decode()) == [a.name]
    assert names_on(client_for(world.home.lead).get("/brukere/").content.decode()) == [
        a.name,
        b.name,
    ]


def test_filters_by_search_status_department_and_senior(world, client_for):
    home = world.home
    astrid = CareRecipientFactory(
        department=home.dept_a, name="Astrid Berg", seniors=[home.senior_a]
    )
    CareRecipientFactory(department=home.dept_a, name="Bjarne Dal", phone="+4791234567")
    ended = CareRecipientFactory(
        department=home.dept_b, name="Cecilie Ende", status=RecipientStatus.ENDED
    )
    lead = client_for(home.lead)

    def shown(**params):
        return names_on(lead.get("/brukere/", params).content.decode())

    assert shown(q="astrid") == ["Astrid Berg"]
    assert shown(q="912 34 567") == ["Bjarne Dal"]
    assert shown(senior=home.senior_a.pk) == [astrid.name]
    assert ended.name not in shown()  # ended ones are hidden by default
    assert shown(status="ended") == [ended.name]
    assert shown(department=home.dept_b.pk, status="all") == [ended.name]


def test_the_senior_filter_offers_a_leader_only_the_seniors_of_their_departments(world, client_for):
    home = world.home

    def offered(who):
        html = client_for(who).get("/brukere/").content.decode()
        select = html.split('name="senior"', 1)[1].split("</select>", 1)[0]
        return set(map(int, re.findall(r'<option value="(\d+)"', select)))

    assert offered(home.leader_a) == {home.senior_a.pk, home.senior_a2.pk}
    assert offered(home.leader_b) == {home.senior_b.pk}
    assert offered(home.lead) == {home.senior_a.pk, home.senior_a2.pk, home.senior_b.pk}


def test_the_list_query_count_does_not_grow_with_the_list(
    world, client_for, django_assert_max_num_queries
):
    home = world.home
    client = client_for(home.lead)
    for i in range(3):
        CareRecipientFactory(department=home.dept_a, seniors=[home.senior_a], name=f"A {i}")
    client.get("/brukere/")
    with django_assert_max_num_queries(20) as few:
        client.get("/brukere/")
    for i in range(40):
        CareRecipientFactory(
            department=home.dept_a, seniors=[home.senior_a, home.senior_a2], name=f"B {i}"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/brukere/")
