"""The shared PDF renderer: real WeasyPrint, checked with poppler's pdftotext and pdfinfo."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.template import engines

from seniorene.pdf import render_pdf
from seniorene.pdf.weasy import BASE_URL, StaticFilesFetcher

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode()


def pdf_info(pdf: bytes) -> str:
    result = subprocess.run(["/usr/bin/pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode()


def test_it_renders_norwegian_text_on_a4_with_the_print_stylesheet():
    pdf = render_pdf(
        "pdf/training_plan.html",
        {
            "module": {"title": "Øvelser på kjøkkenet"},
            "blocks": [{"kind": "p", "text": "Tåhev, balanse og gåtur – blåbærsyltetøy, ÆØÅ."}],
        },
    )
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "Øvelser på kjøkkenet" in text
    assert "Tåhev, balanse og gåtur – blåbærsyltetøy, ÆØÅ." in text
    info = pdf_info(pdf)
    assert "(A4)" in info  # the page size comes from print.css
    assert "Title:           Øvelser på kjøkkenet" in info
    assert re.search(r"\b1\s*/\s*1\b", text)  # the page counter from print.css's margin box


def test_it_never_fetches_anything_but_our_static_files():
    fetcher = StaticFilesFetcher()
    css = fetcher.fetch(BASE_URL + "static/css/print.css")
    assert b"@page" in css.read()
    for url in (
        "http://127.0.0.1:9/secret",
        "file:///etc/passwd",
        BASE_URL + "static/../settings.py",
        BASE_URL + "media/private.pdf",
    ):
        with pytest.raises(ValueError):  # noqa: PT011 - WeasyPrint's contract is ValueError
            fetcher.fetch(url)


def test_an_image_from_elsewhere_is_left_out_without_a_request(tmp_path, caplog):
    template = engines["django"].from_string(
        '<html><body><p>Før</p><img src="file://{{ path }}"><p>Etter</p></body></html>'
    )
    secret = tmp_path / "hemmelig.png"
    secret.write_bytes(b"not an image")
    from seniorene.pdf.weasy import html_to_pdf

    pdf = html_to_pdf(template.render({"path": secret}))
    text = pdf_text(pdf)
    assert "Før" in text
    assert "Etter" in text
    assert "disallowed protocol" in caplog.text
