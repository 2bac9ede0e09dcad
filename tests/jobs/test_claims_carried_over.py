"""The watchdog's once-a-day rows and the team-meeting invites' send state became notice
claims (issue 17: one send-once claim). What went out before the upgrade is carried over,
so nobody gets the same notice twice across it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from seniorene.jobs.models import ClaimStatus, JobClaim
from tests.factories import MembershipFactory
from training.models import TeamMeeting, TeamMeetingInvite
from training.services import team_meeting_invites_send

BEFORE = [("visits", "0009_ledger_moves_out"), ("training", "0003_team_meeting_schedule")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.skipif(connection.vendor != "postgresql", reason="migrates the PostgreSQL schema")
@pytest.mark.django_db(transaction=True)
def test_notices_sent_before_the_upgrade_are_not_sent_again(mailoutbox):
    leader = MembershipFactory(role="leader")
    org = leader.organization
    sent_senior = MembershipFactory(organization=org, role="senior")
    failed_senior = MembershipFactory(organization=org, role="senior")
    waiting_senior = MembershipFactory(organization=org, role="senior")
    sent_at = timezone.now() - dt.timedelta(days=1)
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = _migrate(BEFORE).loader.project_state(BEFORE).apps
        notice = old.get_model("visits", "WatchdogNotice")
        notice.objects.create(
            organization_id=org.pk,
            membership_id=leader.pk,
            day=dt.date(2026, 3, 2),
            sent_at=sent_at,
            count=3,
        )
        notice.objects.create(  # claimed by nobody yet: nothing to carry
            organization_id=org.pk, membership_id=leader.pk, day=dt.date(2026, 3, 3)
        )
        meeting = old.get_model("training", "TeamMeeting").objects.create(
            organization_id=org.pk,
            year=2099,
            month=3,
            starts_at=dt.datetime(2099, 3, 12, 17, 0, tzinfo=dt.UTC),
            link="https://t.example/m",
        )
        invite = old.get_model("training", "TeamMeetingInvite")
        common = {"organization_id": org.pk, "meeting_id": meeting.pk}
        sent = invite.objects.create(
            membership_id=sent_senior.pk, status="sent", attempts=1, sent_at=sent_at, **common
        )
        failed = invite.objects.create(
            membership_id=failed_senior.pk,
            status="failed",
            attempts=1,
            last_error="550 No such user",
            **common,
        )
        invite.objects.create(membership_id=waiting_senior.pk, status="queued", **common)
    finally:
        _migrate(leaves)

    claims = dict(JobClaim.objects.filter(organization=org).values_list("key", "status"))
    assert claims == {
        f"watchdog:{leader.pk}:2026-03-02": ClaimStatus.SENT,
        f"team-meeting:{sent.pk}": ClaimStatus.SENT,
        f"team-meeting:{failed.pk}": ClaimStatus.FAILED,
    }
    assert JobClaim.objects.get(key=f"team-meeting:{failed.pk}").error == "550 No such user"
    # The next run sends the link to the one senior who was still waiting, and to no one else.
    assert TeamMeeting.objects.get(pk=meeting.pk).invites.count() == 3
    tally = team_meeting_invites_send(
        organization_id=org.pk, year=2099, month=3, now=dt.datetime(2099, 3, 1, 7, tzinfo=dt.UTC)
    )
    assert (tally.handled, tally.skipped) == (1, 1)  # the failed one is not tried again
    assert [m.to for m in mailoutbox] == [[waiting_senior.user.email]]
    assert TeamMeetingInvite.objects.get(membership=waiting_senior).sent_at is not None
