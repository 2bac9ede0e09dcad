from __future__ import annotations

from seniorene.celery import app as celery_app

__all__ = ["celery_app"]
