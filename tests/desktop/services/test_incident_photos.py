"""Photos of body map marks on a real enrolled PC store: a photo is shrunk and stored as JPEG
against its mark, bad files are refused with a sentence and nothing is saved, a photo entered
in error is hidden but kept, and photos reach a second PC through the server in small pushes."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from desktop.services import incident_photos
from desktop.services.app import DesktopServices
from desktop.services.errors import InvalidInput
from desktop.services.incidents import IncidentInput
from desktop.store import outbox
from desktop.store import records as records_repo
from desktop.sync import engine
from desktop.sync.client import SyncClient
from shared import incidents as inc
from shared.demo_data import DEMO_PASSWORD
from shared.incidents import BodyMark
from syncserver.sync import pull as server_pull
from tests.desktop.conftest import InProcessServer

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def image_bytes(size: tuple[int, int], fmt: str = "PNG", mode: str = "RGB") -> bytes:
    colour: Any = (200, 90, 80, 128) if mode == "RGBA" else (200, 90, 80)
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, fmt)
    return out.getvalue()


def decoded(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    image.load()
    return image


def signed_in(services: DesktopServices, server: InProcessServer, role: str) -> DesktopServices:
    services.session.sign_in(server.staff(role).username, DEMO_PASSWORD)
    return services


@pytest.fixture
def pc(enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer) -> DesktopServices:
    return signed_in(enrol_pc("ward-pc"), wcn_server, "care_assistant")


@pytest.fixture
def incident_id(pc: DesktopServices) -> str:
    resident = pc.residents.list_residents()[0].resident_id
    saved = pc.incidents.record(
        resident,
        IncidentInput(
            kind="injury",
            description="Skin tear on the left forearm after catching it on the bed rail.",
            occurred_at=NOW - dt.timedelta(hours=1),
            severity="minor",
            body_map=(
                BodyMark("front", 0.2, 0.4, "Skin tear, 3 cm"),
                BodyMark("back", 0.5, 0.3, "Old bruise, yellowing"),
            ),
        ),
    )
    return saved.incident.record_id


def photo_records(pc: DesktopServices) -> list[records_repo.StoredRecord]:
    with pc.context.store.read() as conn:
        return records_repo.by_entity(conn, "incident_photo")


def test_a_large_photo_is_shrunk_to_a_small_jpeg_on_its_mark(
    pc: DesktopServices, incident_id: str, tmp_path: Path
) -> None:
    noisy = Image.effect_noise((3000, 2000), 60).convert("RGB")  # detail that JPEG cannot hide
    big = io.BytesIO()
    noisy.save(big, "JPEG", quality=95)
    path = tmp_path / "forearm.jpg"
    path.write_bytes(big.getvalue())

    photo = pc.incident_photos.attach_file(incident_id, 1, path, "  Before dressing  ")
    assert (photo.width, photo.height) == (1280, 853)
    assert len(photo.jpeg) <= inc.MAX_PHOTO_BYTES
    stored = decoded(photo.jpeg)
    assert stored.format == "JPEG" and stored.size == (1280, 853)
    assert photo.caption == "Before dressing" and photo.mark_number == 1
    [shown] = pc.incident_photos.photos(incident_id)
    assert shown.photo_id == photo.photo_id and shown.jpeg == photo.jpeg
    assert shown.author_id == pc.session.require().user_id


def test_a_small_png_keeps_its_size_and_transparency_becomes_white(
    pc: DesktopServices, incident_id: str
) -> None:
    photo = pc.incident_photos.attach(incident_id, 2, image_bytes((40, 30), mode="RGBA"))
    assert (photo.width, photo.height) == (40, 30)
    red, green, blue = decoded(photo.jpeg).convert("RGB").getpixel((20, 15))  # type: ignore[misc]
    # Half-transparent red on white is pink, not dark red on black.
    assert red > 200 and green > 150 and blue > 150
    assert [p.mark_number for p in pc.incident_photos.photos(incident_id)] == [2]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"Dear diary, today I fell over.", "not a photo"),
        (image_bytes((8, 8), "GIF", "P"), "Only JPEG and PNG"),
        (image_bytes((64, 64), "JPEG")[:-400], "damaged"),
    ],
)
def test_a_file_that_is_not_a_usable_photo_is_refused_and_nothing_is_saved(
    pc: DesktopServices, incident_id: str, raw: bytes, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as error:
        pc.incident_photos.attach(incident_id, 1, raw)
    assert error.value.field == "photo"
    assert photo_records(pc) == []


def test_too_large_a_file_or_image_is_refused(
    pc: DesktopServices, incident_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # a decompression bomb, made small
    with pytest.raises(InvalidInput, match="not a photo"):
        pc.incident_photos.attach(incident_id, 1, image_bytes((100, 100)))
    monkeypatch.setattr(incident_photos, "MAX_FILE_BYTES", 100)
    path = tmp_path / "huge.png"
    path.write_bytes(image_bytes((40, 40)) + b"\0" * 200)
    with pytest.raises(InvalidInput, match="over 0 MB"):
        pc.incident_photos.attach_file(incident_id, 1, path)
    with pytest.raises(InvalidInput, match="could not be opened"):
        pc.incident_photos.attach_file(incident_id, 1, tmp_path / "gone.jpg")
    assert photo_records(pc) == []


def test_a_photo_needs_a_mark_and_an_incident(pc: DesktopServices, incident_id: str) -> None:
    png = image_bytes((10, 10))
    with pytest.raises(InvalidInput, match="Choose a mark"):
        pc.incident_photos.attach(incident_id, 3, png)  # the map has two marks
    with pytest.raises(InvalidInput, match="not on this PC"):
        pc.incident_photos.attach("0" * 8 + "-0000-4000-8000-" + "0" * 12, 1, png)
    with pytest.raises(InvalidInput, match="caption") as error:
        pc.incident_photos.attach(incident_id, 1, png, "x" * (inc.MAX_PHOTO_CAPTION + 1))
    assert error.value.field == "caption"
    assert photo_records(pc) == []


def test_a_photo_entered_in_error_is_hidden_but_kept(pc: DesktopServices, incident_id: str) -> None:
    wrong = pc.incident_photos.attach(incident_id, 1, image_bytes((12, 12)))
    right = pc.incident_photos.attach(incident_id, 1, image_bytes((14, 14)))
    with pytest.raises(InvalidInput, match="Say why") as error:
        pc.incident_photos.mark_entered_in_error(wrong.photo_id, "  ")
    assert error.value.field == "reason"
    correction = pc.incident_photos.mark_entered_in_error(wrong.photo_id, "Another resident")
    assert [p.photo_id for p in pc.incident_photos.photos(incident_id)] == [right.photo_id]
    with pytest.raises(InvalidInput, match="already a correction"):
        pc.incident_photos.mark_entered_in_error(correction, "Twice")
    stored = {r.record_id: r for r in photo_records(pc)}
    assert stored[wrong.photo_id].fields["jpeg_base64"]  # kept, as every record is
    assert stored[correction].fields["amend_reason"] == "Another resident"
    assert "jpeg_base64" not in stored[correction].fields  # no second copy of the picture


def test_photos_reach_a_second_pc_in_pushes_under_the_size_limit(
    pc: DesktopServices,
    incident_id: str,
    enrol_pc: Callable[[str], DesktopServices],
    wcn_server: InProcessServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pc.sync.sync_now()  # the incident itself
    for size in (20, 24, 28):
        pc.incident_photos.attach(incident_id, 1, image_bytes((size, size)))
    with pc.context.store.read() as conn:
        waiting = outbox.pending(conn, 100)
    largest = max(len(json.dumps(e.body)) for e in waiting)
    assert len(waiting) == 3
    monkeypatch.setattr(engine, "PUSH_BATCH_BYTES", largest + 10)  # one photo a push
    pushes: list[int] = []
    real_push = SyncClient.push_json  # the engine sends the outbox's JSON as stored

    def counting_push(self: SyncClient, changes: list[str]) -> Any:
        pushes.append(len(changes))
        return real_push(self, changes)

    monkeypatch.setattr(SyncClient, "push_json", counting_push)
    pc.sync.sync_now()
    assert pushes == [1, 1, 1]
    assert pc.sync.status().waiting == 0

    # The server ends a pull page once it holds half a photo's text (sealed, a photo is more).
    monkeypatch.setattr(server_pull, "PULL_PAGE_BYTES", largest // 2)
    pages: list[int] = []
    real_pull = SyncClient.pull

    def counting_pull(self: SyncClient, cursor: int, limit: int, **options: Any) -> Any:
        reply = real_pull(self, cursor, limit, **options)
        pages.append(sum(row[1] == "incident_photo" for row in reply.rows))
        return reply

    monkeypatch.setattr(SyncClient, "pull", counting_pull)
    office = signed_in(enrol_pc("office-pc"), wcn_server, "nurse")
    office.sync.sync_now()
    assert sum(pages) == 3 and max(pages) == 1  # one photo a page
    theirs = office.incident_photos.photos(incident_id)
    assert [(p.width, p.mark_number) for p in theirs] == [(20, 1), (24, 1), (28, 1)]
    assert theirs[0].jpeg == pc.incident_photos.photos(incident_id)[0].jpeg
    assert base64.b64encode(theirs[0].jpeg)  # the picture itself, not a reference


def test_a_push_holds_several_full_size_photos_under_the_server_limit() -> None:
    from shared.protocol import MAX_BODY_BYTES

    per_photo = inc.PHOTO_TEXT_LENGTH + 2000  # the base64 text and the change around it
    assert engine.PUSH_BATCH_BYTES // per_photo >= 5
    assert engine.PUSH_BATCH_BYTES + per_photo < MAX_BODY_BYTES // 2
