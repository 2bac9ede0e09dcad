"""Demo recipients, relatives, customers and consents in both organizations."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from customers import services
from customers.models import (
    Assignment,
    CareRecipient,
    ConsentGiver,
    ConsentMethod,
    ConsentPurpose,
    CustomerKind,
    InquirySource,
    Partner,
    PartnerKind,
    Relation,
)
from seniorene.accounts.demo import DemoOrg

# (key, name, born, address, postal code, city, phone, department, notes, senior key)
RecipientRow = tuple[str, str, date, str, str, str, str, str, str, str | None]
RECIPIENTS: dict[str, list[RecipientRow]] = {
    "seniorene": [
        (
            "astrid",
            "Astrid Ødegaard",
            date(1938, 3, 14),
            "Thereses gate 12",
            "0452",
            "Oslo",
            "+4722334455",
            "Oslo sentrum",
            "Hører dårlig på venstre øre. Nøkkel i nøkkelboks, kode 4711.",
            "senior",
        ),
        (
            "arne",
            "Arne Bakke",
            date(1941, 11, 2),
            "Sporveisgata 8",
            "0354",
            "Oslo",
            "+4791234567",
            "Oslo sentrum",
            "Liker å snakke om fotball og Vålerenga.",
            "senior",
        ),
        (
            "aase",
            "Åse Lunde",
            date(1935, 6, 30),
            "Kirkeveien 120",
            "0361",
            "Oslo",
            "",
            "Oslo sentrum",
            "",
            "senior_2",
        ),
        (
            "even",
            "Even Ødegård",
            date(1944, 1, 19),
            "Bærumsveien 200",
            "1357",
            "Bekkestua",
            "+4767112233",
            "Bærum",
            "Bruker rullator. Har katt.",
            "senior_b",
        ),
        (
            "zara",
            "Zahra Ali",
            date(1949, 9, 9),
            "Sandvika torg 3",
            "1337",
            "Sandvika",
            "+4798765432",
            "Bærum",
            "",
            None,
        ),
    ],
    "nordre-follo": [
        (
            "kari",
            "Kari Ås",
            date(1940, 5, 5),
            "Kolbotnveien 14",
            "1410",
            "Kolbotn",
            "+4766801234",
            "Forebyggende hjemmebesøk",
            "",
            "senior",
        ),
    ],
}

# (recipient key, name, relation, phone, contact during visits, is the customer, consents)
RELATIVES = {
    "astrid": (
        "Ingrid Ødegaard",
        Relation.CHILD,
        "+4790011223",
        True,
        True,
        [ConsentPurpose.VISIT_SUMMARY_SMS, ConsentPurpose.NOTEBOOK_SHARING],
    ),
    "arne": ("Per Bakke", Relation.CHILD, "+4790022334", True, False, []),
    "even": (
        "Mona Ødegård",
        Relation.SPOUSE,
        "+4790033445",
        True,
        True,
        [ConsentPurpose.VISIT_SUMMARY_SMS],
    ),
    "kari": ("Lars Ås", Relation.CHILD, "+4790044556", False, True, []),
}


# Tripletex project numbers of the demo customers.
PROJECTS = {"astrid": "20101", "even": "20102", "kari": "20103", "zara": "20104"}


# Partners (the manual's "ambassadører og støttespillere"): (key, name, kind, contact,
# phone, e-mail, who follows up, a meeting: (days ago, note, who was there)).
PartnerRow = tuple[str, str, str, str, str, str, str, tuple[int, str, list[str]]]
PARTNERS: dict[str, list[PartnerRow]] = {
    "seniorene": [
        (
            "frivillig",
            "Frogner frivilligsentral",
            PartnerKind.VOLUNTEER_CENTRE,
            "Berit Holm",
            "+4722445566",
            "berit@frivillig.example",
            "admin",
            (30, "Presenterte Seniorene Omsorg på frokostmøtet. Tar brosjyrer.", ["admin", "lead"]),
        ),
        (
            "pensjonist",
            "Bærum pensjonistforening",
            PartnerKind.PENSIONERS,
            "Odd Nilsen",
            "+4767556677",
            "",
            "leader_b",
            (12, "Stand på medlemsmøtet; tre spurte om besøk.", ["leader_b"]),
        ),
    ],
    "nordre-follo": [
        (
            "eldreombud",
            "Eldreombudet",
            PartnerKind.ELDER_OMBUD,
            "",
            "",
            "post@eldreombud.example",
            "admin",
            (45, "Innledende samtale om samarbeid.", ["admin"]),
        ),
    ],
}

# How each demo recipient's inquiry came: (source, partner key or note).
SOURCES: dict[str, tuple[str, str]] = {
    "astrid": (InquirySource.FAMILY, ""),
    "arne": (InquirySource.PARTNER, "frivillig"),
    "aase": (InquirySource.FAIR, "Eldremessen på Rådhuset"),
    "even": (InquirySource.PARTNER, "pensjonist"),
    "zara": (InquirySource.MUNICIPALITY, ""),
    "kari": (InquirySource.MEDIA, "Facebook"),
}


def seed_partners(demo: DemoOrg, rows: list[PartnerRow]) -> dict[str, Partner]:
    partners = {}
    for key, name, kind, contact, phone, email, follow_up, meeting in rows:
        partner = Partner.objects.filter(organization=demo.organization, name=name).first()
        if partner is None:
            by = demo.people["admin"]
            partner = services.partner_save(
                by=by,
                data={
                    "name": name,
                    "kind": kind,
                    "contact_name": contact,
                    "phone": phone,
                    "email": email,
                    "follow_up": demo.people.get(follow_up),
                },
            )
            days_ago, note, attendees = meeting
            services.partner_meeting_add(
                partner=partner,
                by=by,
                held_on=timezone.localdate() - timedelta(days=days_ago),
                note=note,
                attendees=[demo.people[p] for p in attendees if p in demo.people],
            )
        partners[key] = partner
    return partners


def _source(key: str, partners: dict[str, Partner]) -> dict[str, object]:
    source, detail = SOURCES.get(key, ("", ""))
    if source == InquirySource.PARTNER:
        return {"inquiry_source": source, "inquiry_partner": partners[detail]}
    return {"inquiry_source": source, "inquiry_source_note": detail}


def seed(orgs: dict[str, DemoOrg]) -> None:
    for slug, rows in RECIPIENTS.items():
        demo = orgs[slug]
        leader = demo.people["leader"]
        partners = seed_partners(demo, PARTNERS.get(slug, []))
        for key, name, born, address, postal, city, phone, dept, notes, senior in rows:
            recipient = CareRecipient.objects.filter(
                organization=demo.organization, name=name, date_of_birth=born
            ).first()
            if recipient is not None:
                continue
            department = demo.departments[dept]
            by = next(
                (
                    m
                    for m in demo.people.values()
                    if m.role == "leader" and department.pk in m.department_ids
                ),
                leader,
            )
            recipient = services.recipient_create(
                by=by,
                data={
                    "name": name,
                    "date_of_birth": born,
                    "address": address,
                    "postal_code": postal,
                    "city": city,
                    "phone": phone,
                    "department": department,
                    "key_notes": notes,
                    "contact_person": by,
                    **_source(key, partners),
                },
            )
            if senior:
                # Demo seeding assigns directly; the training gate applies to people's choices.
                Assignment.objects.get_or_create(
                    organization=demo.organization,
                    recipient=recipient,
                    senior=demo.people[senior],
                )
            if phone:
                services.consent_give(
                    recipient=recipient,
                    by=by,
                    relative=None,
                    purpose=ConsentPurpose.REMINDER_SMS,
                    given_by=ConsentGiver.RECIPIENT,
                    method=ConsentMethod.VERBAL,
                )
            if key in RELATIVES:
                rel_name, relation, rel_phone, contact, is_customer, purposes = RELATIVES[key]
                relative = services.relative_save(
                    recipient=recipient,
                    by=by,
                    data={
                        "name": rel_name,
                        "relation": relation,
                        "phone": rel_phone,
                        "contact_during_visits": contact,
                    },
                )
                if is_customer:
                    services.customer_set(
                        recipient=recipient,
                        by=by,
                        kind=CustomerKind.RELATIVE,
                        data={"relative": relative, "project_number": PROJECTS.get(key, "")},
                    )
                for purpose in purposes:
                    services.consent_give(
                        recipient=recipient,
                        by=by,
                        relative=relative,
                        purpose=purpose,
                        given_by=ConsentGiver.RECIPIENT,
                        method=ConsentMethod.WRITTEN,
                    )
            if key == "zara":
                services.customer_set(
                    recipient=recipient,
                    by=by,
                    kind=CustomerKind.MUNICIPALITY,
                    data={
                        "name": "Bærum kommune",
                        "org_number": "974554321",
                        "invoice_reference": "Helse 4411",
                        "contact_name": "Tone Vik",
                        "project_number": PROJECTS["zara"],
                    },
                )
            for status in ("screening", "intake_booked", "active")[: 3 if senior else 1]:
                services.recipient_change_status(recipient=recipient, by=by, to_status=status)
