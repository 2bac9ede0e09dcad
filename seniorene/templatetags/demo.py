"""The demo's two-factor hint: in DEBUG only, show a demo user's current code."""

from __future__ import annotations

from django import template
from django.conf import settings

from seniorene.accounts import demo
from seniorene.accounts.models import User

register = template.Library()


@register.simple_tag
def demo_totp_code(user: User | None) -> str:
    """The current TOTP code of a demo user, or '' outside DEBUG or for real users."""
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    if not settings.DEBUG or user is None or not demo.is_demo_user(user):
        return ""
    counter = next(iter(yield_hotp_counters_from_time()))
    code: str = format_hotp_value(hotp_value(demo.demo_totp_secret(user.email), counter))
    return code
