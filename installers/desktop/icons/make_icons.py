"""Draws the app icon with Qt and writes it as PNG, Windows ICO and macOS ICNS (both formats
can hold PNG images, so no image library is needed). Run once after changing the design:
``QT_QPA_PLATFORM=offscreen python installers/desktop/icons/make_icons.py``."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen

HERE = Path(__file__).resolve().parent
ACCENT = "#005a9c"  # the theme's accent colour


def draw(size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    margin = size * 0.06
    box = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    path = QPainterPath()
    path.addRoundedRect(box, size * 0.18, size * 0.18)
    painter.fillPath(path, QColor(ACCENT))
    # A page with ruled lines: care notes.
    page = QRectF(size * 0.27, size * 0.2, size * 0.46, size * 0.6)
    painter.fillRect(page, QColor("#ffffff"))
    pen = QPen(QColor(ACCENT), max(1.0, size * 0.035))
    painter.setPen(pen)
    for i in range(4):
        y = page.top() + page.height() * (0.25 + i * 0.17)
        painter.drawLine(
            int(page.left() + size * 0.06), int(y), int(page.right() - size * 0.06), int(y)
        )
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def ico(images: dict[int, bytes]) -> bytes:
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries, blobs = b"", b""
    for size, png in sorted(images.items()):
        dim = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def icns(images: dict[str, bytes]) -> bytes:
    body = b"".join(
        kind.encode() + struct.pack(">I", len(png) + 8) + png for kind, png in images.items()
    )
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    pngs = {size: draw(size) for size in (16, 32, 48, 256, 512)}
    (HERE / "writecarenotes.png").write_bytes(pngs[256])
    (HERE / "writecarenotes.ico").write_bytes(ico({s: pngs[s] for s in (16, 32, 48, 256)}))
    # ic07 = 128, ic08 = 256, ic09 = 512 pixel PNGs.
    (HERE / "writecarenotes.icns").write_bytes(
        icns({"ic07": draw(128), "ic08": pngs[256], "ic09": pngs[512]})
    )
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
