from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Uploaded files go to a fresh private folder per test, not the checkout's var/."""
    root = tmp_path / "private"
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "base_url": None},
        },
    }
    return root
