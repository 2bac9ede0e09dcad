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


@pytest.mark.parametrize(
    "finders",
    [
        None,  # development: the static finders, then STATIC_ROOT
        [],  # production-like: only the collected files under STATIC_ROOT
    ],
    ids=["with-finders", "static-root-only"],
)
def test_absolute_paths_are_never_read_into_a_pdf(tmp_path, settings, finders):
    """A template that names a file by absolute path gets nothing from the disk."""
    if finders is not None:
        settings.STATICFILES_FINDERS = finders
    static_root = tmp_path / "static"
    static_root.mkdir()
    settings.STATIC_ROOT = static_root
    (static_root / "allowed.css").write_text('body::before { content: "TILLATT-STIL"; }')
    secret = tmp_path / "secret.css"
    secret.write_text('body::after { content: "HEMMELIG-INNHOLD"; }')
    template = engines["django"].from_string(
        "<html><head>"
        '<link rel="stylesheet" href="/static/allowed.css">'
        '<link rel="stylesheet" href="/static/{{ secret }}">'
        '<link rel="stylesheet" href="/static/..{{ secret }}">'
        '<link rel="stylesheet" href="file://{{ secret }}">'
        '<link rel="stylesheet" href="{{ secret }}">'
        '</head><body><p>Brødtekst</p><img src="/static//etc/passwd">'
        '<img src="file:///etc/passwd"><img src="/etc/passwd"></body></html>'
    )
    from seniorene.pdf.weasy import html_to_pdf, static_path

    text = pdf_text(html_to_pdf(template.render({"secret": secret})))
    assert "Brødtekst" in text
    assert "TILLATT-STIL" in text  # a real static file still works
    assert "HEMMELIG-INNHOLD" not in text
    assert static_path(str(secret)) is None
    assert static_path("/etc/passwd") is None
    fetcher = StaticFilesFetcher()
    for url in (BASE_URL + "static/" + str(secret), BASE_URL + "static//etc/passwd"):
        with pytest.raises(ValueError):  # noqa: PT011 - WeasyPrint's contract is ValueError
            fetcher.fetch(url)
