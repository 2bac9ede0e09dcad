"""Render a template to PDF with WeasyPrint: `render_pdf(template_name, context) -> bytes`.

Templates extend ``pdf/base.html``; ``static/css/print.css`` is applied to every one,
parsed once per process (``weasy.print_stylesheet``) rather than linked and parsed per PDF.
Only our own static files are fetched, straight from disk: a PDF never makes
a network request, so text a user typed cannot make the server fetch a URL.
WeasyPrint is imported on first use: it is slow to import and most processes
(and every management command) never render a PDF.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render `template_name` with `context` to the bytes of a PDF."""
    from seniorene.pdf.weasy import html_to_pdf, print_stylesheet

    return html_to_pdf(render_to_string(template_name, context), stylesheets=[print_stylesheet()])
