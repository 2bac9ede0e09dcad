"""factory_boy factories for the whole suite; apps add theirs below as they grow."""

from __future__ import annotations

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from seniorene.accounts.models import Department, Membership, Organization, Role, User

TEST_PASSWORD = "test-passord-123"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organisasjon {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Avdeling {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@test.example")
    name = factory.Faker("name", locale="no_NO")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy API
        if create:
            obj.save(update_fields=["password"])


def enrol_totp(user: User) -> str:
    """Give `user` a TOTP authenticator; return its secret (to compute codes)."""
    secret = generate_totp_secret()
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    TOTP.activate(user, secret)
    return secret


class MembershipFactory(factory.django.DjangoModelFactory):
    """A member; staff roles get MFA enrolled unless `mfa=False`."""

    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.SENIOR

    @factory.post_generation
    def departments(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy API
        if create and extracted:
            obj.set_departments(extracted)

    @factory.post_generation
    def mfa(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy API
        wanted = obj.role != Role.SENIOR if extracted is None else extracted
        if create and wanted:
            enrol_totp(obj.user)


# --- customers ----------------------------------------------------------------

from datetime import date, timedelta  # noqa: E402

from customers.models import (  # noqa: E402
    Assignment,
    CareRecipient,
    Consent,
    ConsentGiver,
    ConsentMethod,
    ConsentPurpose,
    Relation,
    Relative,
)


class CareRecipientFactory(factory.django.DjangoModelFactory):
    """A recipient; pass `department` (its organization is taken from it) and `seniors`."""

    class Meta:
        model = CareRecipient
        skip_postgeneration_save = True

    department = factory.SubFactory(DepartmentFactory)
    organization = factory.LazyAttribute(lambda o: o.department.organization)
    name = factory.Faker("name", locale="no_NO")
    date_of_birth = factory.Sequence(lambda n: date(1930 + n % 20, 1 + n % 12, 1 + n % 28))
    address = factory.Faker("street_address", locale="no_NO")
    postal_code = "0450"
    city = "Oslo"

    @factory.post_generation
    def seniors(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy API
        for senior in extracted or []:
            Assignment.objects.create(
                organization_id=obj.organization_id, recipient=obj, senior=senior
            )


class RelativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relative

    recipient = factory.SubFactory(CareRecipientFactory)
    organization = factory.LazyAttribute(lambda o: o.recipient.organization)
    name = factory.Faker("name", locale="no_NO")
    relation = Relation.CHILD
    phone = factory.Sequence(lambda n: f"+479{n % 10000000:07d}")


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    recipient = factory.SubFactory(CareRecipientFactory)
    organization = factory.LazyAttribute(lambda o: o.recipient.organization)
    relative = None
    purpose = ConsentPurpose.VISIT_SUMMARY_SMS
    given_by = ConsentGiver.RECIPIENT
    method = ConsentMethod.VERBAL
    recorded_by = factory.SubFactory(UserFactory)


# --- omsorg -------------------------------------------------------------------

from datetime import UTC, datetime  # noqa: E402

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.utils import timezone as dj_timezone  # noqa: E402

from omsorg.models import (  # noqa: E402
    AdminNotification,
    Criterion,
    CriterionKind,
    IntakeInterview,
    InterviewCriterionAnswer,
    PdfStatus,
    ServiceArea,
)


def make_criteria(organization) -> tuple[list[Criterion], list[Criterion]]:
    """The manual's two screening and three training criteria for `organization`."""
    from omsorg.services import omsorg_seed_defaults

    omsorg_seed_defaults(organization=organization)
    rows = Criterion.objects.filter(organization=organization, is_active=True)
    return (
        list(rows.filter(kind=CriterionKind.SCREENING)),
        list(rows.filter(kind=CriterionKind.TRAINING)),
    )


class IntakeInterviewFactory(factory.django.DjangoModelFactory):
    """A booked interview; `recipient` and `senior` are required in practice."""

    class Meta:
        model = IntakeInterview
        skip_postgeneration_save = True

    recipient = factory.SubFactory(CareRecipientFactory)
    organization = factory.LazyAttribute(lambda o: o.recipient.organization)
    senior = factory.SubFactory(
        MembershipFactory, organization=factory.SelfAttribute("..organization")
    )
    starts_at = factory.LazyFunction(lambda: dj_timezone.now() + timedelta(days=1))
    prepared_by = "senior"
    booked_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def answers(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy API
        if not create:
            return
        _screening, training = make_criteria(obj.organization)
        for c in training:
            InterviewCriterionAnswer.objects.create(
                organization=obj.organization, interview=obj, criterion=c, wording=c.text
            )


def with_ready_pdf(interview: IntakeInterview) -> IntakeInterview:
    path = f"interviews/{interview.organization_id}/bli-kjent-{interview.pk}.pdf"
    default_storage.save(path, ContentFile(b"%PDF-1.4 test"))
    IntakeInterview.objects.filter(pk=interview.pk).update(
        status="completed",
        completed_at=dj_timezone.now(),
        pdf_status=PdfStatus.READY,
        pdf_file=path,
    )
    interview.refresh_from_db()
    return interview


def make_notification(interview: IntakeInterview) -> AdminNotification:
    return AdminNotification.objects.create(
        organization=interview.organization,
        interview=interview,
        department=interview.recipient.department,
        recipient_name=interview.recipient.name,
        senior_name=interview.senior.user.name,
        met_on=dj_timezone.localdate(),
    )


# Long before any test's clock: a real meeting completed in a test is the latest one.
READY_MEETING_AT = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


def ready_for_plan(recipient, *, senior=None) -> IntakeInterview | None:
    """Give `recipient` what a visit plan needs (`visits.planning.plan_requirements`): a
    current customer (the recipient themself) and a completed Bli kjent meeting with the
    outcome "God match" — held by `senior` (default: an assigned senior), its training
    criteria answered no (so R2 still refuses training visits). Does nothing the
    recipient already has; returns the meeting it made, if any."""
    from customers.models import Assignment, Customer, CustomerKind
    from omsorg.models import InterviewStatus, Outcome
    from visits.planning import plan_requirements

    codes = {m.code for m in plan_requirements(recipient)}
    if "customer" in codes:
        Customer.objects.create(
            organization_id=recipient.organization_id,
            recipient=recipient,
            kind=CustomerKind.RECIPIENT,
        )
    if not codes - {"customer"}:
        return None
    if senior is None:
        assigned = Assignment.objects.filter(recipient=recipient).select_related("senior")
        senior = assigned.first().senior if assigned.exists() else None
    interview = IntakeInterviewFactory(
        recipient=recipient,
        **({"senior": senior} if senior is not None else {}),
        starts_at=READY_MEETING_AT,
        status=InterviewStatus.COMPLETED,
        completed_at=READY_MEETING_AT,
        outcome=Outcome.GOOD_MATCH,
    )
    interview.criterion_answers.update(met=False)
    return interview


def make_service_area(organization) -> ServiceArea:
    return ServiceArea.objects.create(
        organization=organization, name=f"Område {ServiceArea.objects.count()}"
    )


# --- visits -------------------------------------------------------------------

from datetime import time as dt_time  # noqa: E402

from visits.models import Visit, VisitPlan, weekdays_to_mask  # noqa: E402


class VisitPlanFactory(factory.django.DjangoModelFactory):
    """A weekly plan (Tuesday 11.00); pass `recipient` and `senior`. Makes no visits by itself:
    call `visits.planning.plans_expand` (or use `plan_create`, which also checks R2/R6)."""

    class Meta:
        model = VisitPlan

    recipient = factory.SubFactory(CareRecipientFactory)
    organization = factory.LazyAttribute(lambda o: o.recipient.organization)
    senior = factory.SubFactory(
        MembershipFactory, organization=factory.SelfAttribute("..organization")
    )
    weekdays = weekdays_to_mask([1])
    start_time = dt_time(11)
    duration_minutes = 60
    every_n_weeks = 1
    first_date = factory.LazyFunction(dj_timezone.localdate)


class VisitFactory(factory.django.DjangoModelFactory):
    """A one-off visit tomorrow at this hour; pass `recipient` and `senior`."""

    class Meta:
        model = Visit

    recipient = factory.SubFactory(CareRecipientFactory)
    organization = factory.LazyAttribute(lambda o: o.recipient.organization)
    senior = factory.SubFactory(
        MembershipFactory, organization=factory.SelfAttribute("..organization")
    )
    starts_at = factory.LazyFunction(
        lambda: (dj_timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    )
    original_starts_at = factory.SelfAttribute("starts_at")
    duration_minutes = 60
