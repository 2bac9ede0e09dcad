from __future__ import annotations

from django.urls import URLPattern, path

from openings.views import leader

app_name = "openings"

urlpatterns: list[URLPattern] = [
    # The leader's side (issue 20): publish from the card, the jobs, withdraw, choose.
    path("avdeling/ledige-jobber/", leader.leader_list, name="leader_list"),
    path("brukere/<int:pk>/ledig-jobb/", leader.leader_publish, name="leader_publish"),
    path("avdeling/ledige-jobber/<int:pk>/", leader.leader_detail, name="leader_detail"),
    path("avdeling/ledige-jobber/<int:pk>/trekk/", leader.leader_withdraw, name="leader_withdraw"),
    path("avdeling/ledige-jobber/<int:pk>/velg/", leader.leader_choose, name="leader_choose"),
]
