"""Data-access export and anonymisation after the retention period."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

from customers import services
from customers.models import CareRecipient, Relative, StatusChange
from seniorene.audit.models import AuditEvent, ViewRecord
from tests.conftest import PERSONAS
from tests.factories import CareRecipientFactory, ConsentFactory, RelativeFactory

pytestmark = pytest.mark.django_db


def test_the_export_holds_everything_stored_about_the_recipient(world, client_for):
    relative = RelativeFactory(
        recipient__department=world.home.dept_a, recipient__name="Åse Ødegård", name="Ola Ås"
    )
    recipient = relative.recipient
    ConsentFactory(recipient=recipient, relative=relative, recorded_by=world.home.leader_a.user)
    client = client_for(world.home.leader_a)
    client.get(f"/brukere/{recipient.pk}/")
    response = client.get(f"/brukere/{recipient.pk}/innsyn.json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["recipient"]["name"] == "Åse Ødegård"
    assert data["relatives"][0]["name"] == "Ola Ås"
    assert data["consents"][0]["person"] == "Ola Ås"
    assert data["views"][0]["who"] == world.home.leader_a.user.name
    page = client.get(f"/brukere/{recipient.pk}/innsyn/").content.decode()
    assert "Alt vi lagrer om Åse Ødegård" in page
    assert "Ola Ås" in page
    assert ViewRecord.objects.filter(what__startswith="innsyn").count() == 2


def test_ended_recipients_are_anonymised_after_the_retention_period(world, settings):
    home = world.home
    recipient = CareRecipientFactory(
        department=home.dept_a,
        name="Astrid Ødegaard",
        phone="+4722334455",
        key_notes="Nøkkel i boksen",
    )
    RelativeFactory(recipient=recipient, name="Ingrid Ødegaard")
    services.recipient_change_status(
        recipient=recipient, by=home.leader_a, to_status="ended", reason="Flyttet til Bergen"
    )
    kept = CareRecipientFactory(department=home.dept_a, name="Fortsatt Aktiv")
    out = StringIO()
    call_command("anonymise_ended", stdout=out)
    assert "Anonymised 0" in out.getvalue()
    later = timezone.now() + timedelta(days=settings.RETENTION_DAYS_AFTER_END + 1)
    with time_machine.travel(later):
        call_command("anonymise_ended", stdout=out)
    recipient.refresh_from_db()
    assert recipient.anonymised_at is not None
    assert "Astrid" not in recipient.name
    assert recipient.phone == ""
    assert recipient.key_notes == ""
    assert recipient.address == ""
    assert Relative.objects.get(recipient=recipient).name == "Anonymisert"
    assert StatusChange.objects.get(recipient=recipient, to_status="ended").reason == ""
    assert not AuditEvent.objects.filter(object_repr__contains="Astrid").exists()
    # Counts for statistics remain, and other recipients are untouched.
    assert CareRecipient.objects.count() == 2
    assert StatusChange.objects.filter(recipient=recipient).exists()
    kept.refresh_from_db()
    assert kept.name == "Fortsatt Aktiv"


# --- Anonymisation leaves no free text about the person anywhere (issue 16) ---------------

OSLO = ZoneInfo("Europe/Oslo")
MOMENT = datetime(2026, 3, 10, 9, 0, tzinfo=OSLO)  # a Tuesday morning
MARK = "^"  # every marker is "^" and three digits: short enough for a postal code

# Free-text fields of rows about a recipient that legitimately stay after anonymisation.
# Each needs a reason a reviewer can judge; everything else must be emptied or replaced.
KEPT_TEXT = {
    # Copies of the organization's criterion wording, the same for everyone screened.
    "omsorg.screeninganswer.wording": "the criterion's wording, not about the person",
    "omsorg.interviewcriterionanswer.wording": "the criterion's wording, not about the person",
    # The notice says which senior held the meeting: staff, not the recipient.
    "omsorg.adminnotification.senior_name": "the senior's name (staff)",
    # Bookkeeping stays (hours, km and outlays go to Tripletex on these).
    "customers.customer.project_number": "the Tripletex project number",
    "ledger.timeentry.activity": "the Tripletex activity, set by the system",
    "ledger.mileageentry.purpose": "the Tripletex purpose, set by the system",
    # Issue 22: what a correction changed (its values are emptied unless they are numbers or
    # times) and the rows sent to Tripletex (their outlay text is replaced).
    "ledger.ledgercorrection.field": "the name of the changed value, set by the system",
    "ledger.exportline.project": "the Tripletex project number",
    "ledger.exportline.activity": "the Tripletex activity or purpose, set by the system",
    "ledger.exportline.receipt_url": "the address of the receipt, built from an id",
    "ledger.exportline.note": "what a correction row corrects, written by the system",
    "visits.visitlog.done_areas": "ids of the organization's service areas, no text",
    # Technical identifiers of a message, no content.
    "sms.smsmessage.idempotency_key": "built from ids",
    "sms.smsmessage.provider_sid": "the SMS provider's id",
    "sms.smsmessage.error_code": "the SMS provider's error code",
    "sms.inboundsms.provider_sid": "the SMS provider's id",
    "evaluations.evaluation.token_hash": "a hash of the evaluation link's secret, no text",
}
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def rows_about(recipient: CareRecipient) -> dict[type[models.Model], models.QuerySet]:
    """Every row that points at the recipient by a foreign key, or at such a row (one hop),
    found through the app registry: a model added later is found too."""

    def pointing_at(targets: dict) -> dict:
        found = {}
        for model in apps.get_models():
            links = Q()
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model in targets and model not in targets:
                    links |= Q(**{f"{field.name}__in": targets[field.related_model].values("pk")})
            if links:
                found[model] = model._default_manager.filter(links)
        return found

    itself = {CareRecipient: CareRecipient.objects.filter(pk=recipient.pk)}
    direct = pointing_at(itself)
    return {**itself, **direct, **pointing_at({**itself, **direct})}


def free_text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, TEXT_FIELDS)
        and not f.is_relation
        and not f.choices  # a choice is a code, not free text
        and f"{model._meta.label_lower}.{f.name}" not in KEPT_TEXT
    ]


def markers_in_database() -> dict[str, list[str]]:
    """Every marker in any column of any table, by table and column (plain SQL)."""
    found: dict[str, list[str]] = {}
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                text = f"CAST({qn(column.name)} AS TEXT)"
                cursor.execute(
                    f"SELECT {text} FROM {qn(table)} WHERE {text} LIKE %s",  # noqa: S608
                    [f"%{MARK}%"],
                )
                for (value,) in cursor.fetchall():
                    if markers := re.findall(r"\^\d{3}", value):
                        found.setdefault(f"{table}.{column.name}", []).extend(markers)
    return found


def interview_files(root: Path) -> list[Path]:
    return [p for p in (root / "interviews").rglob("*") if p.is_file()]


def a_recipient_with_a_whole_history(world, client_for) -> CareRecipient:
    """A recipient with a row of every kind that points at one, made the way the product
    makes them where that writes the audit and view logs."""
    from ledger.models import Expense
    from messaging.models import SmsMessage
    from omsorg import services as omsorg
    from omsorg.models import ServiceArea
    from omsorg.pdf import interview_render_pdf
    from tests.factories import make_criteria
    from tests.training.helpers import clear_for_assignment
    from visits.changes import visit_cancel
    from visits.models import VisitLog, VisitLogDraft
    from visits.planning import PlanFields, plan_create

    home = world.home
    leader, senior = home.leader_a, home.senior_a
    screening, _training = make_criteria(home.organization)
    clear_for_assignment(senior)
    recipient = CareRecipientFactory(
        department=home.dept_a, seniors=[senior], phone="+4722334455", key_notes="Nøkkel"
    )
    relative = services.relative_save(
        recipient=recipient,
        by=leader,
        data={"name": "Ingrid", "relation": "child", "phone": "+4790011223", "email": "i@x.no"},
    )
    services.consent_give(
        recipient=recipient,
        by=leader,
        relative=relative,
        purpose="visit_summary_sms",
        given_by="legal_representative",
        given_by_name="Verge",
        method="written",
    )
    services.customer_set(
        recipient=recipient,
        by=leader,
        kind="municipality",
        data={"name": "Bærum kommune", "contact_name": "Saksbehandler", "project_number": "P-1"},
    )
    omsorg.screening_record(
        recipient=recipient,
        by=leader,
        answers={c.pk: (True, "Merknad") for c in screening},
        note="Kartlagt på telefon",
    )
    interview = omsorg.interview_book(
        recipient=recipient, by=leader, senior=senior, starts_at=MOMENT + timedelta(hours=2)
    )
    omsorg.interview_complete(
        interview=interview,
        by=senior,
        data={
            "q4_contact_name": "Ingrid",
            "q4_contact_phone": "900 11 223",
            "q5_likes": "Båter",
            "q6_avoid": "Krigen",
            "q7_cognitive": "Demens",
            "q8_falls": "Falt i fjor",
            "q9_frequency": "Hver uke",
        },
        criteria={a.pk: True for a in interview.criterion_answers.all()},
        km=Decimal("5"),
        outcome="good_match",
    )
    interview_render_pdf(interview_id=interview.pk)
    # A job offered to the seniors (Klar for plan), with an answer.
    from openings.models import JobAnswer
    from openings.services import OpeningFields, opening_publish

    opening = opening_publish(
        recipient=recipient,
        by=leader,
        fields=OpeningFields(
            kind="visits",
            area="Sagene",
            postal_code="0457",
            weekdays=(1,),
            start_time=time(11),
            duration_minutes=60,
            every_n_weeks=1,
            first_date=MOMENT.date(),
            description="Liker kortspill",
        ),
    )
    JobAnswer.objects.create(
        organization=home.organization,
        opening=opening,
        senior=senior,
        answer="yes",
        note="Kan bare tirsdager",
        answered_at=MOMENT,
    )
    client = client_for(leader)
    assert client.get(f"/bli-kjent/{interview.pk}/").status_code == 200
    assert client.get(f"/bli-kjent/{interview.pk}/pdf/").status_code == 200
    assert client.get(f"/brukere/{recipient.pk}/").status_code == 200
    area = ServiceArea.objects.filter(organization=home.organization, is_training=False).first()
    plan = plan_create(
        recipient=recipient,
        by=leader,
        fields=PlanFields(
            senior=senior,
            weekdays=(MOMENT.weekday(),),
            start_time=time(11),
            first_date=MOMENT.date(),
            areas=(area,),
            notes="Liker kaffe",
        ),
    )
    first, second = plan.visits.order_by("starts_at")[:2]
    visit_cancel(visit=second, by=leader, kind="customer", reason="Hos legen")
    VisitLogDraft.objects.create(
        organization=home.organization, visit=first, membership=senior, data={"went_well": "Kort"}
    )
    VisitLog.objects.create(
        organization=home.organization,
        visit=first,
        recipient=recipient,
        went_well="Kortspill",
        could_change="Mer tid",
        done_areas=[area.pk],
        submission_key=uuid.uuid4(),
        logged_by=senior.user,
    )
    from visits.models import Concern

    Concern.objects.create(
        organization=home.organization,
        visit=first,
        recipient=recipient,
        raised_by=senior,
        category="fall",
        text="Falt i gangen",
    )
    Expense.objects.create(
        organization=home.organization,
        recipient=recipient,
        membership=senior,
        billable=True,
        source="visit",
        date=MOMENT.date(),
        amount=Decimal("40"),
        description="Notatbok",
    )
    # Issue 22: a corrected outlay, and the month sent to Tripletex with its row.
    from ledger.models import ExportLine, LedgerCorrection, MonthLock

    LedgerCorrection.objects.create(
        organization=home.organization,
        entry_kind="expense",
        source="visit",
        membership=senior,
        recipient=recipient,
        field="description",
        old_value="Notatbok",
        new_value="Blomster",
        reason="Astrid ville ha blomster",
        changed_by=leader.user,
        changed_at=MOMENT,
        month=MOMENT.date().replace(day=1),
    )
    ExportLine.objects.create(
        organization=home.organization,
        lock=MonthLock.objects.create(
            organization=home.organization,
            department=home.dept_a,
            month=MOMENT.date().replace(day=1),
            locked_by=leader.user,
            locked_at=MOMENT,
        ),
        line_kind="entry",
        entry_kind="expense",
        entry_id=1,
        membership=senior,
        recipient=recipient,
        day=MOMENT.date(),
        amount=Decimal("40"),
        description="Notatbok",
        billable=True,
    )
    SmsMessage.objects.create(
        organization=home.organization,
        recipient=recipient,
        relative=relative,
        audience="relative",
        purpose="visit_summary_sms",
        to_phone="+4790011223",
        body="Besøket gikk fint",
        idempotency_key="summary:1",
        error_message="Ukjent nummer",
    )
    # Issue 21: Ingrid answers the SMS, and the leader marks her reply handled.
    from messaging.inbound import inbound_receive, reply_handle
    from messaging.models import InboundSms

    inbound_receive(from_phone="+4790011223", body="Takk! Mor er sliten", provider_sid="SMwhole")
    reply_handle(
        message=InboundSms.objects.get(provider_sid="SMwhole"), by=leader, note="Ringte Ingrid"
    )
    # The relative's answer to the evaluation (issue 21), with a comment.
    from tests.evaluations.helpers import an_evaluation

    an_evaluation(
        recipient,
        relative=relative,
        token="D" * 32,
        at=MOMENT,
        answered_at=MOMENT,
        satisfaction=2,
        helps="partly",
        comment="Mor savner turene",
    )
    # The relative's own page (issue 21): a link, a trusted device, a code and a request.
    from customers.models import RelativeLink
    from customers.relative_access import code_check, code_issue, link_issue
    from family.models import VisitRequest

    now = timezone.now()
    link_issue(relative=relative, now=now)
    link = RelativeLink.objects.filter(relative=relative).latest("pk")
    _code_row, code = code_issue(link=link, now=now)
    code_check(link=link, code=code, now=now)
    code_issue(link=link, now=now)
    VisitRequest.objects.create(
        organization=home.organization,
        visit=first,
        recipient=recipient,
        relative=relative,
        kind="move",
        wished_time="Fredag",
        note="Mor er på sykehus",
        answer="Flyttet til fredag",
        answered_by=leader.user,
        answered_at=now,
        created_at=now,
    )
    services.recipient_change_status(
        recipient=recipient, by=leader, to_status="ended", reason="Flyttet"
    )
    return recipient


@pytest.fixture
def private_storage(settings, tmp_path) -> Path:
    """Interview PDFs go to a fresh folder per test, not the checkout's var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    return tmp_path


def test_anonymising_leaves_no_free_text_about_the_recipient_anywhere(
    world, client_for, private_storage, django_capture_on_commit_callbacks
):
    """Every free-text field of every row about the recipient, and every log label of those
    rows, gets a marker; after anonymisation no marker is left in any table (KEPT_TEXT
    excepted: those fields get none), and the interview PDF is gone from the disk."""
    tmp_path = private_storage
    with time_machine.travel(MOMENT, tick=False):
        recipient = a_recipient_with_a_whole_history(world, client_for)
    rows = rows_about(recipient)
    markers = (f"{MARK}{n:03d}" for n in range(1000))
    filled: set[str] = set()
    missing = []
    for model, queryset in rows.items():
        fields = free_text_fields(model)
        if fields and not queryset.exists():
            missing.append(model._meta.label_lower)
        for pk in queryset.values_list("pk", flat=True):
            values = {f.name: next(markers) for f in fields}
            model._default_manager.filter(pk=pk).update(**values)
            filled |= set(values.values())
            for log in (AuditEvent, ViewRecord):
                for row in log.objects.filter(
                    object_type=model._meta.label_lower, object_id=str(pk)
                ):
                    row.object_repr = next(markers)
                    row.save(update_fields=["object_repr"])
                    filled.add(row.object_repr)
    assert missing == [], "give the recipient a row of these models above"
    # The scan sees every marker before (so that finding none afterwards means something).
    before = markers_in_database()
    assert {m for found in before.values() for m in found} == filled
    assert "audit_auditevent.object_repr" in before
    assert "audit_viewrecord.object_repr" in before
    assert "omsorg_adminnotification.recipient_name" in before
    assert interview_files(tmp_path)

    with django_capture_on_commit_callbacks(execute=True):
        services.recipient_anonymise(recipient=recipient)

    assert markers_in_database() == {}
    assert interview_files(tmp_path) == []


# --- The interview and the screening: in the export, gone after anonymisation ------------

QUESTION_FALLS = "8) Fallforebygging: har brukeren falt før, ca. når og i hvilken situasjon?"


@pytest.fixture
def completed_intake(world, private_storage):
    """Åse in department A: screened, and her Bli kjent interview held by senior_a, with its
    PDF on disk."""
    from omsorg import services as omsorg
    from omsorg.pdf import interview_render_pdf
    from tests.factories import make_criteria
    from tests.training.helpers import clear_for_assignment

    home = world.home
    screening, _training = make_criteria(home.organization)
    clear_for_assignment(home.senior_a)
    with time_machine.travel(MOMENT, tick=False):
        recipient = CareRecipientFactory(department=home.dept_a, name="Åse Ødegård")
        omsorg.screening_record(
            recipient=recipient,
            by=home.leader_a,
            answers={c.pk: (True, "Går med rullator") for c in screening},
            note="Datteren ringte",
        )
        interview = omsorg.interview_book(
            recipient=recipient,
            by=home.leader_a,
            senior=home.senior_a,
            starts_at=MOMENT + timedelta(hours=2),
        )
    with time_machine.travel(MOMENT + timedelta(hours=3), tick=False):
        omsorg.interview_complete(
            interview=interview,
            by=home.senior_a,
            data={
                "q2_informed": "yes",
                "q4_contact_name": "Ingrid Ødegård",
                "q4_contact_phone": "900 11 223",
                "q5_likes": "Blomster og båtliv",
                "q7_cognitive": "Glemsk, lett demens",
                "q8_falls": "Falt på badet i fjor vinter",
            },
            criteria={a.pk: True for a in interview.criterion_answers.all()},
            km=None,
            outcome="good_match",
        )
        interview_render_pdf(interview_id=interview.pk)
    interview.refresh_from_db()
    return interview


EXPORT_READERS = {"lead", "leader_a"}  # MANAGE_RECIPIENTS for the recipient's department


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("organization", ["home", "other"])
def test_the_export_holds_the_screening_and_the_interview_for_those_who_may_see_them(
    world, client_for, completed_intake, persona, organization
):
    recipient = completed_intake.recipient
    client = client_for(getattr(world, organization).persona(persona))
    response = client.get(f"/brukere/{recipient.pk}/innsyn.json")
    page = client.get(f"/brukere/{recipient.pk}/innsyn/")
    if organization == "other" or persona not in EXPORT_READERS:
        assert response.status_code in (403, 404)
        assert page.status_code in (403, 404)
        assert "Falt på badet" not in response.content.decode() + page.content.decode()
        return
    data = json.loads(response.content)
    [screening] = data["screenings"]
    assert screening["outcome"] == "Oppfyller kravene"
    assert screening["note"] == "Datteren ringte"
    assert screening["by"] == world.home.leader_a.user.name
    assert screening["criteria"] == [
        "Personen oppfyller kravene for å få besøk: Ja (Går med rullator)",
        "Arbeidet hører hjemme i Seniorene Omsorg: Ja (Går med rullator)",
    ]
    [interview] = data["interviews"]
    assert interview["status"] == "Gjennomført"
    assert interview["senior"] == world.home.senior_a.user.name
    assert interview["at"] == "2026-03-10T11:00:00+01:00"
    assert interview["completed"] == "2026-03-10T12:00:00+01:00"
    assert interview["1) Navn, alder og adresse"].startswith("Åse Ødegård, ")
    assert interview["2) Er brukeren informert om besøk fra Seniorene?"] == "Ja"
    assert interview["4) Pårørende som kan kontaktes under besøket"] == "Ingrid Ødegård"
    assert interview["4) Telefon"] == "900 11 223"
    assert interview["5) Hva liker brukeren særlig å snakke om?"] == "Blomster og båtliv"
    assert interview["7) Kognitiv trening: er det noe senioren skal vite?"] == "Glemsk, lett demens"
    assert interview[QUESTION_FALLS] == "Falt på badet i fjor vinter"
    assert len(interview["criteria"]) == 3
    assert all(c.endswith(": Ja") for c in interview["criteria"])
    html = page.content.decode()
    for text in (
        "Kartlegging",
        "Bli kjent-møter",
        "Datteren ringte",
        "Falt på badet i fjor vinter",
    ):
        assert text in html


INTERVIEW_READERS = ("lead", "leader_a", "senior_a")  # R3: who could download the PDF


@pytest.mark.parametrize("persona", INTERVIEW_READERS)
def test_after_anonymisation_the_interview_pdf_is_gone_and_its_answers_too(
    world,
    client_for,
    completed_intake,
    private_storage,
    persona,
    django_capture_on_commit_callbacks,
):
    interview = completed_intake
    client = client_for(world.home.persona(persona))
    pdf_url = f"/bli-kjent/{interview.pk}/pdf/"
    assert client.get(pdf_url).status_code == 200
    assert "Falt på badet" in client.get(f"/bli-kjent/{interview.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.recipient_anonymise(recipient=interview.recipient)
    assert client.get(pdf_url).status_code == 404
    assert not default_storage.exists(interview.pdf_file)
    page = client.get(f"/bli-kjent/{interview.pk}/").content.decode()
    assert "Brukeren er anonymisert: svarene og PDF-en er slettet." in page
    for text in ("Falt på badet", "Ingrid Ødegård", "Åse Ødegård", "lett demens", "PDF-en lages"):
        assert text not in page
    # Asking for the PDF again renders nothing: the file stays gone.
    client.post(f"/bli-kjent/{interview.pk}/pdf/lag-paa-nytt/")
    assert client.get(pdf_url).status_code == 404
    assert interview_files(private_storage) == []


def test_after_anonymisation_the_export_has_neither_the_answers_nor_the_notes(
    world, client_for, completed_intake, django_capture_on_commit_callbacks
):
    recipient = completed_intake.recipient
    with django_capture_on_commit_callbacks(execute=True):
        services.recipient_anonymise(recipient=recipient)
    recipient.refresh_from_db()
    data = services.recipient_export(recipient=recipient)
    [screening] = data["screenings"]
    assert screening["note"] == ""
    assert screening["outcome"] == "Oppfyller kravene"  # the count for statistics stays
    assert all(c.endswith(": Ja") for c in screening["criteria"])
    [interview] = data["interviews"]
    assert interview["1) Navn, alder og adresse"] == ""
    assert interview[QUESTION_FALLS] == ""
    assert interview["status"] == "Gjennomført"
    # The recipient's and the relative's names from the answers (not the surname alone:
    # Faker's Norwegian surnames include Ødegård, and the export names the staff).
    exported = json.dumps(data, ensure_ascii=False)
    assert "Åse Ødegård" not in exported
    assert "Ingrid Ødegård" not in exported
