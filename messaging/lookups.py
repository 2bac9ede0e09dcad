"""The only cross-tenant reads of the SMS gateway, for work that starts without a tenant.

A Celery task knows a message id, a Twilio webhook knows a phone number; neither
knows the organization yet. On PostgreSQL the application role sees no tenant
rows until the tenant is set (R9), so each question is a narrow SECURITY DEFINER
function (migrations ``sms.0002`` and ``sms.0007``) that answers with ids only, in the manner of
``seniorene.accounts.tenancy.organization_for_invitation_token``. The caller then
does the real work inside ``tenant_context`` for that organization.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection
from django.db.models import Q

MESSAGE_ORGANIZATION_SQL = """
CREATE OR REPLACE FUNCTION seniorene_sms_message_organization(msg bigint) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT organization_id FROM sms_smsmessage WHERE id = msg
$$;
"""

# Active SMS consents that belong to a phone number: relatives' consents (by the
# relative's phone), recipients' own consents (by the recipient's phone) and staff
# members' own SMS consents (by the user's phone). $1 is the E.164 number, $2 the
# consent purposes that are SMS purposes.
STOP_TARGETS_SQL = """
CREATE OR REPLACE FUNCTION seniorene_sms_stop_targets(text, text[])
RETURNS TABLE (organization_id bigint, kind text, row_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT c.organization_id, 'consent'::text, c.id
      FROM customers_consent c JOIN customers_relative r ON r.id = c.relative_id
     WHERE r.phone = $1 AND c.withdrawn_at IS NULL AND c.purpose = ANY($2)
    UNION ALL
    SELECT c.organization_id, 'consent'::text, c.id
      FROM customers_consent c JOIN customers_carerecipient p ON p.id = c.recipient_id
     WHERE c.relative_id IS NULL AND p.phone = $1 AND c.withdrawn_at IS NULL
       AND c.purpose = ANY($2)
    UNION ALL
    SELECT s.organization_id, 'staff'::text, s.id
      FROM sms_staffsmsconsent s JOIN accounts_membership m ON m.id = s.membership_id
      JOIN accounts_user u ON u.id = m.user_id
     WHERE u.phone = $1 AND s.withdrawn_at IS NULL
$$;
"""

DROP_SQL = """
DROP FUNCTION IF EXISTS seniorene_sms_message_organization(bigint);
DROP FUNCTION IF EXISTS seniorene_sms_stop_targets(text, text[]);
"""


# Who, in any organization, an inbound SMS from $1 (E.164) may come from (issue 21): the
# relatives and recipients with that number, and the organizations whose outbox has texted it.
# Ids only; the caller stores the message inside `tenant_context` for each organization.
INBOUND_SENDERS_SQL = """
CREATE OR REPLACE FUNCTION seniorene_sms_inbound_senders(text)
RETURNS TABLE (organization_id bigint, kind text, recipient_id bigint, relative_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.organization_id, 'relative'::text, r.recipient_id, r.id
      FROM customers_relative r WHERE r.phone = $1
    UNION ALL
    SELECT p.organization_id, 'recipient'::text, p.id, NULL::bigint
      FROM customers_carerecipient p WHERE p.phone = $1
    UNION ALL
    SELECT DISTINCT m.organization_id, 'outbox'::text, NULL::bigint, NULL::bigint
      FROM sms_smsmessage m WHERE m.to_phone = $1
$$;
"""

INBOUND_DROP_SQL = "DROP FUNCTION IF EXISTS seniorene_sms_inbound_senders(text);"


class InboundSender(NamedTuple):
    organization_id: int
    kind: str  # "relative", "recipient" or "outbox" (only the outbox knows the number)
    recipient_id: int | None
    relative_id: int | None


class StopTarget(NamedTuple):
    organization_id: int
    kind: str  # "consent" (customers.Consent) or "staff" (sms.StaffSmsConsent)
    row_id: int


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def message_organization_id(message_id: int) -> int | None:
    """The organization of SMS `message_id`, found across tenants (None: no such message)."""
    if not _is_postgres():
        from messaging.models import SmsMessage

        return (
            SmsMessage.objects.filter(pk=message_id)
            .values_list("organization_id", flat=True)
            .first()
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT seniorene_sms_message_organization(%s)", [message_id])
        row = cursor.fetchone()
    return row[0] if row else None


def stop_targets(phone: str, purposes: Iterable[str]) -> list[StopTarget]:
    """Every active SMS consent, in any organization, that belongs to `phone` (E.164)."""
    purposes = sorted(purposes)
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM seniorene_sms_stop_targets(%s, %s)", [phone, purposes])
            return [StopTarget(*row) for row in cursor.fetchall()]
    from customers.models import Consent
    from messaging.models import StaffSmsConsent

    consents = Consent.objects.filter(withdrawn_at__isnull=True, purpose__in=purposes).filter(
        Q(relative__phone=phone) | Q(relative__isnull=True, recipient__phone=phone)
    )
    staff = StaffSmsConsent.objects.filter(withdrawn_at__isnull=True, membership__user__phone=phone)
    return [
        StopTarget(o, "consent", i) for o, i in consents.values_list("organization_id", "pk")
    ] + [StopTarget(o, "staff", i) for o, i in staff.values_list("organization_id", "pk")]


def inbound_senders(phone: str) -> list[InboundSender]:
    """Everyone, in any organization, an SMS from `phone` (E.164) may come from."""
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM seniorene_sms_inbound_senders(%s)", [phone])
            return [InboundSender(*row) for row in cursor.fetchall()]
    from customers.models import CareRecipient, Relative
    from messaging.models import SmsMessage

    relatives = Relative.objects.filter(phone=phone).values_list(
        "organization_id", "recipient_id", "pk"
    )
    recipients = CareRecipient.objects.filter(phone=phone).values_list("organization_id", "pk")
    outbox = (
        SmsMessage.objects.filter(to_phone=phone)
        .values_list("organization_id", flat=True)
        .distinct()
    )
    return (
        [InboundSender(o, "relative", r, i) for o, r, i in relatives]
        + [InboundSender(o, "recipient", i, None) for o, i in recipients]
        + [InboundSender(o, "outbox", None, None) for o in outbox]
    )
