from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "seniorene.accounts"
    label = "accounts"
    verbose_name = "Kontoer og organisasjoner"
