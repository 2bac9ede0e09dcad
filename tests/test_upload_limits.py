"""A request body larger than the page takes is refused before anything reads it (issue 16,
hole 7): 413 with a Norwegian page. The receipt upload itself is in
tests/visits/test_receipt_safety.py."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, HttpResponseBadRequest
from django.test import RequestFactory
from django.urls import reverse

from seniorene.uploads import FORM_OVERHEAD_BYTES, RequestBodyLimitMiddleware
from training.forms import MAX_VIDEO_BYTES
from training.models import TrainingModule

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def forged_post(client, url: str, declared: int):
    """A POST that says it carries `declared` bytes but sends only a few: had anything
    tried to read it, the test client would fail ("Cannot read more than the available
    bytes") rather than answer."""
    body = b"--x\r\nContent-Disposition: form-data; name=title\r\n\r\nT\r\n--x--\r\n"
    return client.generic(
        "POST",
        url,
        body,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(declared),
    )


def test_a_video_above_500_mb_is_refused_before_the_upload_is_read(world, client_for):
    lead = client_for(world.home.lead)
    url = reverse("training:module_create")
    response = forged_post(lead, url, MAX_VIDEO_BYTES + FORM_OVERHEAD_BYTES + 1)
    assert response.status_code == 413
    assert "Filen er for stor" in response.content.decode()
    assert "høyst 500 MB" in response.content.decode()
    assert not TrainingModule.objects.filter(title="T").exists()


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("senior_a", "visits:agenda"),  # a page without files
        ("leader_a", "visits:sms_templates"),
        ("admin", "accounts:invitations"),
    ],
)
def test_pages_without_files_take_no_more_than_the_form_data_limit(
    world, client_for, persona, url_name
):
    client = client_for(world.home.persona(persona))
    url = reverse(url_name)
    response = forged_post(
        client, url, settings.DATA_UPLOAD_MAX_MEMORY_SIZE + FORM_OVERHEAD_BYTES + 1
    )
    assert response.status_code == 413
    assert "høyst 10 MB" in response.content.decode()


def test_the_login_page_refuses_a_huge_body_too(client):
    response = forged_post(client, reverse("account_login"), 50 * MB)
    assert response.status_code == 413
    assert "Filen er for stor" in response.content.decode()


def test_a_body_without_a_length_is_cut_off_at_the_limit():
    """A server that passes a body through without Content-Length (chunked): reading stops
    one byte past the cap, and the answer is 413 whatever the inner layers made of it."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + FORM_OVERHEAD_BYTES
    endless = io.BytesIO(b"a" * (limit + 5 * MB))
    request = RequestFactory().post("/", data=b"", content_type="application/octet-stream")
    request.META.pop("CONTENT_LENGTH", None)
    request._stream = endless

    def view(request):
        return HttpResponse("read")

    def inner(request):
        # What Django's handler does with RequestDataTooBig: a 400.
        middleware.process_view(request, view, (), {})
        try:
            request.read()
        except RequestDataTooBig:
            return HttpResponseBadRequest()
        return view(request)

    middleware = RequestBodyLimitMiddleware(inner)
    request.user = AnonymousUser()
    response = middleware(request)
    assert response.status_code == 413
    assert endless.tell() <= limit + 1  # the rest of the body was never read
