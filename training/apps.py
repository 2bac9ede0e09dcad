from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig

if TYPE_CHECKING:
    from seniorene.accounts.models import Organization


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Opplæring"

    def ready(self) -> None:
        from seniorene.accounts.signals import organization_created

        organization_created.connect(seed_defaults, dispatch_uid="training.seed_defaults")
        from training import audit_sentences

        audit_sentences.register()  # its audit events in plain words

        from customers import hooks
        from training.services import training_require_cleared

        hooks.on_senior_assign(training_require_cleared)  # R6


def seed_defaults(sender: Any, *, organization: Organization, **kwargs: Any) -> None:
    """A new organization starts with the manual's standard training modules."""
    from training.services import training_seed_defaults

    training_seed_defaults(organization=organization)
