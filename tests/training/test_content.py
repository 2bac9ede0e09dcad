"""The lead's content: modules, uploaded videos in private storage, the standard training."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from seniorene.audit.models import AuditEvent
from tests.training.helpers import make_module
from training.models import ModuleKind, TrainingModule

VIDEO_BYTES = bytes(range(256)) * 40  # 10 240 bytes standing in for an MP4


def upload_video(client, **extra):
    data = {
        "kind": "video",
        "title": "Førstehjelp",
        "body": "Kort om førstehjelp.",
        "video_url": "",
        "video_file": SimpleUploadedFile("forstehjelp.MP4", VIDEO_BYTES, "video/mp4"),
        "is_required": "on",
        "is_active": "on",
        "position": "70",
        **extra,
    }
    return client.post(reverse("training:module_create"), data)


def test_the_lead_seeds_the_standard_training_once(world, client_for):
    client = client_for(world.home.lead)
    page = client.get(reverse("training:manage")).content.decode()
    assert "Legg inn standardopplæringen" in page
    assert client.post(reverse("training:seed_defaults")).status_code == 302
    client.post(reverse("training:seed_defaults"))
    titles = list(
        TrainingModule.objects.filter(organization=world.home.organization).values_list(
            "title", flat=True
        )
    )
    assert titles == [
        "Forberedelse",
        "Gjennomføring av besøket",
        "Treningsplan: fysisk trening",
        "Treningsplan: kognitiv trening",
        "Intervjuskjema ved Bli kjent-møtet",
        "Taushetserklæring",
    ]
    assert AuditEvent.objects.filter(action="training.defaults_seeded").count() == 1
    assert not TrainingModule.objects.filter(organization=world.other.organization).exists()
    assert (
        "Legg inn standardopplæringen"
        not in client.get(reverse("training:manage")).content.decode()
    )


def test_an_uploaded_video_is_stored_privately_and_served_only_inside_the_organization(
    world, client_for, client, private_storage
):
    response = upload_video(client_for(world.home.lead))
    assert response.status_code == 302
    module = TrainingModule.objects.get(title="Førstehjelp")
    assert module.kind == ModuleKind.VIDEO
    name = module.video_file.name
    assert name.startswith(f"training/videos/{world.home.organization.pk}/")
    assert name.endswith(".mp4")
    assert "forstehjelp" not in name  # the stored name is unguessable
    assert (Path(private_storage) / name).read_bytes() == VIDEO_BYTES

    url = reverse("training:module_video", args=[module.pk])
    response = client_for(world.home.senior_a).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert b"".join(response.streaming_content) == VIDEO_BYTES
    assert client_for(world.other.senior_a).get(url).status_code == 404
    assert client.get(url).status_code == 302  # anonymous: to the login page


def test_the_video_answers_byte_ranges_for_phone_players(world, client_for):
    upload_video(client_for(world.home.lead))
    module = TrainingModule.objects.get(title="Førstehjelp")
    url = reverse("training:module_video", args=[module.pk])
    client = client_for(world.home.senior_a)

    response = client.get(url, HTTP_RANGE="bytes=0-1")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-1/{len(VIDEO_BYTES)}"
    assert b"".join(response.streaming_content) == VIDEO_BYTES[:2]

    response = client.get(url, HTTP_RANGE="bytes=10000-")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == VIDEO_BYTES[10000:]

    response = client.get(url, HTTP_RANGE="bytes=-40")
    assert b"".join(response.streaming_content) == VIDEO_BYTES[-40:]

    response = client.get(url, HTTP_RANGE=f"bytes={len(VIDEO_BYTES)}-")
    assert response.status_code == 416


def test_the_module_page_plays_the_uploaded_video(world, client_for):
    upload_video(client_for(world.home.lead))
    module = TrainingModule.objects.get(title="Førstehjelp")
    html = (
        client_for(world.home.senior_a)
        .get(reverse("training:module", args=[module.pk]))
        .content.decode()
    )
    assert f'src="{reverse("training:module_video", args=[module.pk])}"' in html
    assert 'type="video/mp4"' in html


def test_a_video_needs_a_link_or_a_file(world, client_for):
    response = upload_video(client_for(world.home.lead), video_file="")
    assert response.status_code == 200
    assert "En video trenger en lenke eller en opplastet fil." in response.content.decode()
    assert not TrainingModule.objects.exists()


def test_only_video_files_are_accepted(world, client_for):
    response = upload_video(
        client_for(world.home.lead),
        video_file=SimpleUploadedFile("notat.html", b"<script>", "text/html"),
    )
    assert response.status_code == 200
    assert not TrainingModule.objects.exists()


def test_replacing_the_video_removes_the_old_file(
    world, client_for, private_storage, django_capture_on_commit_callbacks
):
    client = client_for(world.home.lead)
    upload_video(client)
    module = TrainingModule.objects.get(title="Førstehjelp")
    old = Path(private_storage) / module.video_file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("training:module_edit", args=[module.pk]),
            {
                "title": "Førstehjelp",
                "body": "Ny video.",
                "video_file": SimpleUploadedFile("ny.webm", b"webm", "video/webm"),
                "is_required": "on",
                "is_active": "on",
                "position": "70",
            },
        )
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.video_file.name.endswith(".webm")
    assert not old.exists()


def test_the_lead_makes_a_module_optional_or_retires_it(world, client_for):
    module = make_module(world.home.organization, title="Lesestoff")
    response = client_for(world.home.lead).post(
        reverse("training:module_edit", args=[module.pk]),
        {"title": "Lesestoff", "body": "Tekst", "position": "5"},
    )
    assert response.status_code == 302
    module.refresh_from_db()
    assert (module.is_required, module.is_active, module.kind) == (False, False, "reading")
    assert AuditEvent.objects.filter(action="training.module_updated", object_id=str(module.pk))


def test_the_declaration_stays_required_and_in_use(world, client_for):
    from training import services

    services.training_seed_defaults(organization=world.home.organization)
    declaration = TrainingModule.objects.get(kind="declaration")
    client_for(world.home.lead).post(
        reverse("training:module_edit", args=[declaration.pk]),
        {"title": declaration.title, "body": declaration.body, "position": "1"},
    )
    declaration.refresh_from_db()
    assert declaration.is_required
    assert declaration.is_active


def test_a_second_declaration_is_refused(world, client_for):
    from training import services

    services.training_seed_defaults(organization=world.home.organization)
    response = client_for(world.home.lead).post(
        reverse("training:module_create"),
        {"kind": "declaration", "title": "Enda en", "body": "Tekst", "position": "1"},
    )
    assert response.status_code == 200
    assert "har allerede en taushetserklæring" in response.content.decode()
    assert TrainingModule.objects.filter(kind="declaration").count() == 1


def test_module_text_is_shown_as_text_never_as_markup(world, client_for):
    module = make_module(
        world.home.organization, body="## Overskrift\n<script>alert(1)</script>\n- punkt"
    )
    html = (
        client_for(world.home.senior_a)
        .get(reverse("training:module", args=[module.pk]))
        .content.decode()
    )
    assert "<h3>Overskrift</h3>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<li>punkt</li>" in html
