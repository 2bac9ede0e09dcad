"""Signals the core sends, so that the apps above it can act without the core importing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `organization=` after platform staff create an organization, inside the same
# transaction and with the new tenant set. Each app seeds its own defaults in a receiver
# that its AppConfig.ready() connects (omsorg: service areas and criteria; training: modules).
organization_created = Signal()
