from __future__ import annotations

from django.urls import URLPattern, path

from openings.views import leader, overview, senior

app_name = "openings"

urlpatterns: list[URLPattern] = [
    path("seniorer/oversikt/", overview.senior_overview, name="senior_overview"),
    # The senior's side (on the phone): opting in, the jobs offered, answering.
    path("mine-jobber/", senior.my_jobs, name="my_jobs"),
    path("mine-jobber/<int:pk>/", senior.my_job, name="my_job"),
    path("mine-jobber/onske/", senior.my_interest, name="my_interest"),
    path("mine-jobber/onske/pause/", senior.my_interest_pause, name="my_interest_pause"),
    path("mine-jobber/onske/igjen/", senior.my_interest_resume, name="my_interest_resume"),
    path("mine-jobber/onske/trekk/", senior.my_interest_withdraw, name="my_interest_withdraw"),
    # The leader's side (issue 20): publish from the card, the jobs, withdraw, choose.
    path("avdeling/ledige-jobber/", leader.leader_list, name="leader_list"),
    path("brukere/<int:pk>/ledig-jobb/", leader.leader_publish, name="leader_publish"),
    path("avdeling/ledige-jobber/<int:pk>/", leader.leader_detail, name="leader_detail"),
    path("avdeling/ledige-jobber/<int:pk>/trekk/", leader.leader_withdraw, name="leader_withdraw"),
    path("avdeling/ledige-jobber/<int:pk>/velg/", leader.leader_choose, name="leader_choose"),
]
