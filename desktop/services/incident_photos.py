"""Photos of the marks on an incident's body map. A photo file (JPEG or PNG) is checked,
turned upright, shrunk to at most PHOTO_LONG_SIDE pixels on its long side and saved as a
JPEG of at most MAX_PHOTO_BYTES, in an append-only ``incident_photo`` record that syncs like
any other. A photo taken in error is not deleted: an "entered in error" record with the
reason hides it."""

from __future__ import annotations

import base64
import binascii
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from desktop.services.care_common import CareServiceBase, iso, now_utc
from desktop.services.errors import InvalidInput
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from shared import incidents as inc

MAX_FILE_BYTES = 40 * 1024 * 1024  # a phone's largest photos are well under this
JPEG_QUALITIES = (80, 65, 50)  # tried in turn until the photo fits MAX_PHOTO_BYTES
FORMATS = ("JPEG", "PNG")


@dataclass(frozen=True)
class PhotoView:
    photo_id: str
    incident_id: str
    mark_number: int
    jpeg: bytes
    width: int
    height: int
    caption: str
    attached_at: str
    author_id: str | None


@dataclass(frozen=True)
class PreparedPhoto:
    jpeg: bytes
    width: int
    height: int


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, field="photo")


def prepare_photo(raw: bytes) -> PreparedPhoto:
    """``raw`` (a JPEG or PNG file's bytes) as an upright JPEG small enough to store."""
    if not raw:
        raise _refuse("That file is empty: choose a photo.")
    if len(raw) > MAX_FILE_BYTES:
        raise _refuse(f"That file is over {MAX_FILE_BYTES // (1024 * 1024)} MB: choose a photo.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as opened:
                if opened.format not in FORMATS:
                    raise _refuse("Only JPEG and PNG photos can be attached.")
                opened.draft("RGB", (inc.PHOTO_LONG_SIDE, inc.PHOTO_LONG_SIDE))
                image = ImageOps.exif_transpose(opened)
                image = _on_white(image)
                image.thumbnail(
                    (inc.PHOTO_LONG_SIDE, inc.PHOTO_LONG_SIDE), Image.Resampling.LANCZOS
                )
                for quality in JPEG_QUALITIES:
                    out = io.BytesIO()
                    image.save(out, "JPEG", quality=quality, optimize=True)
                    if out.tell() <= inc.MAX_PHOTO_BYTES:
                        return PreparedPhoto(out.getvalue(), image.width, image.height)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse("That file is not a photo this app can read (JPEG or PNG).") from None
    except (OSError, ValueError, SyntaxError):
        raise _refuse("That photo is damaged and cannot be read.") from None
    raise _refuse("That photo is too detailed to store, even made smaller.")


def _on_white(image: Image.Image) -> Image.Image:
    """RGB, with any transparent parts shown on white (as the photo would look on paper)."""
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _view(record: StoredRecord) -> PhotoView:
    f = record.fields
    try:
        jpeg = base64.b64decode(f.get("jpeg_base64") or "", validate=True)
    except (binascii.Error, ValueError):
        jpeg = b""
    return PhotoView(
        record.record_id,
        str(f["incident_id"]),
        int(f["mark_number"]),
        jpeg,
        int(f.get("width") or 0),
        int(f.get("height") or 0),
        str(f.get("caption") or ""),
        record.occurred_at or "",
        record.user_id,
    )


class IncidentPhotoService(CareServiceBase):
    def attach_file(
        self, incident_id: str, mark_number: int, path: Path, caption: str = ""
    ) -> PhotoView:
        """Attach the photo in the file at ``path`` to mark ``mark_number`` of the incident."""
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise _refuse(
                    f"That file is over {MAX_FILE_BYTES // (1024 * 1024)} MB: choose a photo."
                )
            raw = path.read_bytes()
        except OSError:
            raise _refuse(f"The file {path.name} could not be opened.") from None
        return self.attach(incident_id, mark_number, raw, caption)

    def attach(
        self, incident_id: str, mark_number: int, raw: bytes, caption: str = ""
    ) -> PhotoView:
        """Attach a photo (a JPEG or PNG file's bytes) to a mark; it is stored made smaller."""
        caption = caption.strip()
        if len(caption) > inc.MAX_PHOTO_CAPTION:
            raise InvalidInput(
                f"Keep the caption under {inc.MAX_PHOTO_CAPTION} characters.", field="caption"
            )
        with self._context.store.read() as conn:
            incident = self._incident(conn, incident_id)
        marks = inc.parse_body_map(incident.fields.get("body_map"))
        if not 1 <= mark_number <= len(marks):
            raise _refuse("Choose a mark on the body map first.")
        photo = prepare_photo(raw)
        fields: dict[str, Any] = {
            "resident_id": incident.resident_id,
            "incident_id": incident_id,
            "mark_number": mark_number,
            "jpeg_base64": base64.b64encode(photo.jpeg).decode("ascii"),
            "width": photo.width,
            "height": photo.height,
            "caption": caption or None,
            "occurred_at": iso(now_utc()),
        }
        with self._writing() as (conn, author):
            record = self._context.recorder.create(
                conn, "incident_photo", {k: v for k, v in fields.items() if v is not None}, author
            )
        return _view(record)

    def photos(self, incident_id: str) -> list[PhotoView]:
        """The incident's photos, oldest first, without those entered in error."""
        with self._context.store.read() as conn:
            incident = self._incident(conn, incident_id)
            events = records_repo.for_resident(
                conn, incident.resident_id or "", ("incident_photo",)
            )
        mine = [e for e in events if e.fields.get("incident_id") == incident_id]
        withdrawn = {
            e.fields.get("amends_id")
            for e in mine
            if e.fields.get("amend_kind") == "entered_in_error"
        }
        shown = [e for e in mine if not e.fields.get("amends_id") and e.record_id not in withdrawn]
        return [_view(e) for e in sorted(shown, key=lambda e: (e.occurred_at or "", e.hlc))]

    def mark_entered_in_error(self, photo_id: str, reason: str) -> str:
        """Hide a photo attached in error; the photo itself is kept, as every record is."""
        if not reason.strip():
            raise InvalidInput("Say why the photo was entered in error.", field="reason")
        with self._context.store.read() as conn:
            original = records_repo.get(conn, photo_id)
        if original is None or original.entity != "incident_photo":
            raise InvalidInput("That photo is not on this PC.")
        if original.fields.get("amends_id"):
            raise InvalidInput("That is already a correction, not a photo.")
        fields = {
            "resident_id": original.resident_id,
            "incident_id": original.fields["incident_id"],
            "mark_number": original.fields["mark_number"],
            "amends_id": photo_id,
            "amend_kind": "entered_in_error",
            "amend_reason": reason.strip(),
            "occurred_at": iso(now_utc()),
        }
        with self._writing() as (conn, author):
            return self._context.recorder.create(conn, "incident_photo", fields, author).record_id

    def _incident(self, conn: Any, incident_id: str) -> StoredRecord:
        record = records_repo.get(conn, incident_id)
        if record is None or record.entity != "incident":
            raise InvalidInput("That incident is not on this PC.")
        return record
