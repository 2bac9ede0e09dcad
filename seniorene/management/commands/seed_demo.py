"""Load demo data: two organizations, a login for every role, and each app's demo objects."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from seniorene.accounts import demo


class Command(BaseCommand):
    help = "Create demo organizations, users and data (idempotent; DEBUG only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo is refused when DEBUG is off: it would add demo logins.")
        extra: list[str] = []
        with transaction.atomic():
            orgs = demo.seed()
            # Each app may add its own demo objects in `<app>/demo.py: seed(orgs)`, and lines
            # to print after the logins in `lines(orgs)` (e.g. the relative's page link).
            modules = []
            for config in apps.get_app_configs():
                if config.name == "seniorene.accounts":
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(orgs)
                modules.append(module)
            for module in modules:
                if hasattr(module, "lines"):
                    extra += module.lines(orgs)
        self.print_logins(orgs)
        for line in extra:
            self.stdout.write(line)

    def print_logins(self, orgs: dict[str, demo.DemoOrg]) -> None:
        out = self.stdout
        out.write(self.style.SUCCESS("Demo data is ready."))
        out.write(f"Password for every demo login: {demo.DEMO_PASSWORD}")
        out.write(
            "Admin, lead and leader use two-factor login: in DEBUG the code is shown on the "
            "code page."
        )
        for data in orgs.values():
            out.write(f"\n{data.organization.name}")
            for membership in data.people.values():
                depts = ", ".join(d.name for d in membership.departments.all())
                suffix = f" ({depts})" if depts else ""
                role = membership.get_role_display()
                out.write(f"  {role:<16} {membership.user.email}{suffix}")
