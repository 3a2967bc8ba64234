"""Render the application icon's platform files from its one source, the SVG.

``resources/icons/spec-automation.svg`` is the icon the running app shows (window, About box).
The installers need it in other shapes, which this script writes under ``installer/icons/``:

* ``hicolor/NxN/apps/spec-automation.png`` for the Linux desktop (freedesktop icon theme sizes);
* ``spec-automation.ico`` for Windows (the executable, the start-menu entry, the uninstaller);
* ``spec-automation.icns`` for the macOS ``.app``.

Both container formats hold PNG images, which Windows (since Vista) and macOS (since 10.7) read,
so no image library beyond Qt is needed. The files are committed; run this again after the SVG
changes: ``.venv/bin/python installer/make_icons.py`` (``--check`` only compares).
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "spec-automation.svg"
ICONS = ROOT / "installer" / "icons"
NAME = "spec-automation"

#: Sizes of the Linux desktop's PNGs (the freedesktop hicolor theme's usual ones).
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
#: Sizes inside the Windows .ico (256 is the largest the format knows).
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: The macOS .icns entries: type code and the pixel size of its PNG.
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
)


def png_path(size: int) -> Path:
    """Where the Linux PNG of ``size`` pixels lives."""
    return ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{NAME}.png"


def render_png(size: int) -> bytes:
    """The SVG rendered as a square PNG of ``size`` pixels (transparent around the shape)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"The icon {SVG} is not an SVG image Qt can read.")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows icon file holding the PNG of each size in ``ICO_SIZES``."""
    header = struct.pack("<HHH", 0, 1, len(ICO_SIZES))
    offset = len(header) + 16 * len(ICO_SIZES)
    entries, images = b"", b""
    for size in ICO_SIZES:
        image = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in the directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(image), offset)
        images += image
        offset += len(image)
    return header + entries + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS icon file holding a PNG for each entry of ``ICNS_TYPES``."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def icon_files() -> dict[Path, bytes]:
    """Every file this script writes, with its content."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(sys.argv[:1])
        del app  # kept alive by Qt as the application instance
    sizes = sorted({*PNG_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    pngs = {size: render_png(size) for size in sizes}
    files = {png_path(size): pngs[size] for size in PNG_SIZES}
    files[ICONS / f"{NAME}.ico"] = ico_bytes(pngs)
    files[ICONS / f"{NAME}.icns"] = icns_bytes(pngs)
    return files


def main(argv: list[str] | None = None) -> int:
    """Write the icon files (or, with ``--check``, say which differ from the SVG's rendering)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; write nothing")
    args = parser.parse_args(argv)
    files = icon_files()
    if args.check:
        stale = [
            path for path, data in files.items() if not path.is_file() or path.read_bytes() != data
        ]
        for path in stale:
            print(f"{path.relative_to(ROOT)} differs from the SVG's rendering.")
        return 1 if stale else 0
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
