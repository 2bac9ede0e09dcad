from __future__ import annotations

from django.apps import AppConfig


class OmsorgConfig(AppConfig):
    name = "omsorg"
    verbose_name = "Omsorg: kartlegging og Bli kjent"
