"""Demo organizations and one login per role (``manage.py seed_demo``)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import TypedDict

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from seniorene.accounts.models import Department, Membership, Organization, Role, User
from seniorene.accounts.services import email_address_verify

DEMO_PASSWORD = "demo-omsorg-2026"  # noqa: S105 - demo only; seed_demo refuses when DEBUG is off
DEMO_DOMAIN = ".example"


class OrgSpec(TypedDict):
    slug: str
    name: str
    org_number: str
    departments: list[str]
    # (key, name, e-mail, role, department names)
    people: list[tuple[str, str, str, str, list[str]]]


@dataclass
class DemoOrg:
    organization: Organization
    departments: dict[str, Department] = field(default_factory=dict)
    people: dict[str, Membership] = field(default_factory=dict)


ORGANIZATIONS: list[OrgSpec] = [
    {
        "slug": "seniorene",
        "name": "Seniorene AS",
        "org_number": "912345678",
        "departments": ["Oslo sentrum", "Bærum"],
        "people": [
            ("admin", "Gudrun Berg", "gudrun@seniorene.example", Role.ADMIN, []),
            ("lead", "Hilde Sæther", "hilde@seniorene.example", Role.LEAD, []),
            ("leader", "Kari Nordmann", "kari@seniorene.example", Role.LEADER, ["Oslo sentrum"]),
            ("leader_b", "Ole Å. Hansen", "ole@seniorene.example", Role.LEADER, ["Bærum"]),
            ("senior", "Ragnhild Øye", "ragnhild@seniorene.example", Role.SENIOR, ["Oslo sentrum"]),
            ("senior_2", "Bjørn Lie", "bjorn@seniorene.example", Role.SENIOR, ["Oslo sentrum"]),
            ("senior_b", "Åse Dahl", "ase@seniorene.example", Role.SENIOR, ["Bærum"]),
        ],
    },
    {
        "slug": "nordre-follo",
        "name": "Nordre Follo kommune",
        "org_number": "921234567",
        "departments": ["Forebyggende hjemmebesøk"],
        "people": [
            ("admin", "Jan Erik Moe", "janerik@nordrefollo.example", Role.ADMIN, []),
            ("lead", "Hilde Sæther", "hilde@seniorene.example", Role.LEAD, []),
            (
                "leader",
                "Sigrid Holm",
                "sigrid@nordrefollo.example",
                Role.LEADER,
                ["Forebyggende hjemmebesøk"],
            ),
            (
                "senior",
                "Per Ødegård",
                "per@nordrefollo.example",
                Role.SENIOR,
                ["Forebyggende hjemmebesøk"],
            ),
        ],
    },
]


def demo_totp_secret(email: str) -> str:
    """A fixed TOTP secret per demo user, so the demo login page can show the code."""
    digest = hashlib.sha256(f"seniorene-demo:{email}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def is_demo_user(user: User) -> bool:
    return user.email.endswith(DEMO_DOMAIN)


# Leaders' mobile numbers: the contact person in every SMS to relatives.
PHONES = {
    "hilde@seniorene.example": "+4791115555",
    "kari@seniorene.example": "+4791112222",
    "ole@seniorene.example": "+4791113333",
    "sigrid@nordrefollo.example": "+4791114444",
}


def _user(name: str, email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, name=name)
    email_address_verify(user=user)
    if email in PHONES and not user.phone:
        user.phone = PHONES[email]
        user.save(update_fields=["phone"])
    return user


def _enrol_totp(user: User) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, demo_totp_secret(user.email))


def seed() -> dict[str, DemoOrg]:
    """Create or update the demo organizations and people; return them by slug."""
    result: dict[str, DemoOrg] = {}
    for spec in ORGANIZATIONS:
        org, _ = Organization.objects.update_or_create(
            slug=spec["slug"], defaults={"name": spec["name"], "org_number": spec["org_number"]}
        )
        demo = DemoOrg(organization=org)
        for dept_name in spec["departments"]:
            demo.departments[dept_name], _ = Department.objects.get_or_create(
                organization=org, name=dept_name
            )
        for key, name, email, role, dept_names in spec["people"]:
            user = _user(name, email)
            membership, _ = Membership.objects.update_or_create(
                user=user, organization=org, defaults={"role": role, "is_active": True}
            )
            membership.set_departments(demo.departments[d] for d in dept_names)
            if role != Role.SENIOR:
                _enrol_totp(user)
            demo.people[key] = membership
        result[spec["slug"]] = demo
    return result
