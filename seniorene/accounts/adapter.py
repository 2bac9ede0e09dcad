from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from seniorene.accounts.models import User


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth has no types
    """No public sign-up: people join by invitation only."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def send_password_reset_mail(self, user: User, email: str, context: dict[str, Any]) -> None:
        """Send reset links to the login address only, never to a new address that
        is still waiting to be confirmed."""
        if email.lower() != user.email.lower():
            return
        super().send_password_reset_mail(user, email, context)
