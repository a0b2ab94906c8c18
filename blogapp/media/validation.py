"""Checking an uploaded image and making the copy that is stored.

- The type is what Pillow reads in the bytes (PNG, JPEG, WebP, GIF), never the file name
  or the browser's Content-Type; SVG is refused outright (it can carry script, and
  sanitizing it well is a project of its own).
- At most ``MEDIA_MAX_MB`` megabytes and ``MEDIA_MAX_PIXELS`` pixels (all frames of an
  animation together): a small file that decodes to a huge bitmap (a decompression bomb)
  is refused from its header, before any pixel is decoded.
- The stored copy is re-encoded from the pixels, so EXIF (GPS position, camera serial),
  XMP and comments are left behind; a photo's EXIF orientation is applied first, so it
  still stands the right way up. Its name is a hash of the stored bytes: the same image
  uploaded twice is one file, and a name never changes meaning (cached for a year).
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's format name -> (file extension, Content-Type).
FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
    "GIF": ("gif", "image/gif"),
}
CONTENT_TYPES = {extension: content_type for extension, content_type in FORMATS.values()}
# What a broken or hostile file makes Pillow raise while reading or decoding it.
_UNREADABLE = (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError,
               IndexError, TypeError, KeyError, ZeroDivisionError, MemoryError)


class Refused(ValueError):
    """The upload is not stored; ``str()`` is the message for the author."""

    status = 400


class TooLarge(Refused):
    status = 413


@dataclass(frozen=True)
class StoredImage:
    name: str  # "<32 hex digits>.<extension>"
    data: bytes
    content_type: str
    width: int
    height: int


def _looks_like_svg(data):
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head


def _open(data, max_pixels):
    with warnings.catch_warnings():
        # Pillow's own bomb check warns (and we refuse) well above our limit; its other
        # warnings (odd palettes, truncated metadata) say nothing we act on.
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise Refused(_too_big(max_pixels)) from None
        except _UNREADABLE:
            raise Refused(_("这不是 PNG、JPEG、WebP 或 GIF 图片。")) from None
    width, height = image.size
    frames = getattr(image, "n_frames", 1)
    if width * height * frames > max_pixels or width < 1 or height < 1:
        raise Refused(_too_big(max_pixels))
    return image


def _too_big(max_pixels):
    return _("图片像素太多（最多 %(mp)d 百万像素）。", mp=max_pixels // 1_000_000)


def _webp_is_lossless(data):
    """Whether a WebP holds a lossless (VP8L) image: re-encoding it lossy would blur a
    screenshot. Walks the RIFF chunks rather than trusting a search of the bytes."""
    position = 12
    while position + 8 <= len(data):
        kind = data[position:position + 4]
        if kind in (b"VP8L", b"VP8 "):
            return kind == b"VP8L"
        size = int.from_bytes(data[position + 4:position + 8], "little")
        position += 8 + size + (size & 1)
    return False


def _reencode(image, data):
    """The image's pixels in its own format, with no metadata but a colour profile;
    returns the bytes and the (width, height) they show."""
    fmt = image.format
    animated = getattr(image, "n_frames", 1) > 1
    # Explicit empties: a format's writer would otherwise copy some from the source.
    options = {"exif": b"", "xmp": b"", "comment": b""}
    if image.info.get("icc_profile"):
        options["icc_profile"] = image.info["icc_profile"]
    if fmt == "JPEG":
        if _orientation(image) in (None, 1):
            options.update(quality="keep", subsampling="keep")  # same pixels, same quality
        else:  # a phone photo stored sideways: turn the pixels, as the EXIF tag said
            image = ImageOps.exif_transpose(image)
            options["quality"] = 90
    elif fmt == "WEBP":
        options.update(lossless=_webp_is_lossless(data), quality=90)
    output = io.BytesIO()
    image.save(output, format=fmt, save_all=animated, **options)
    return output.getvalue(), image.size


def _orientation(image):
    try:
        return image.getexif().get(0x0112)
    except _UNREADABLE:
        return None


def process(data, max_bytes, max_pixels):
    """The ``StoredImage`` to keep for upload ``data``; raises ``Refused`` with the reason."""
    if not data:
        raise Refused(_("没有收到文件。"))
    if len(data) > max_bytes:
        raise TooLarge(_("图片太大（最大 %(mb)d MB）。", mb=max_bytes // (1024 * 1024)))
    if _looks_like_svg(data):
        raise Refused(_("不接受 SVG 图片（其中可以藏有脚本），请导出为 PNG 或 WebP。"))
    image = _open(data, max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stored, size = _reencode(image, data)
    except _UNREADABLE:
        raise Refused(_("图片已损坏，无法读取。")) from None
    extension, content_type = FORMATS[image.format]
    name = hashlib.sha256(stored).hexdigest()[:32] + "." + extension
    return StoredImage(name, stored, content_type, *size)
