"""Product images: the type is read from the bytes, never from the name or header.

Accepted: JPEG, PNG and WebP, within a byte limit and a pixel limit (a small file that
decodes to a huge picture is refused before it is decoded). The stored original is
re-encoded, so metadata (EXIF, GPS, comments, colour profiles) never reaches buyers.
"""

from __future__ import annotations

import asyncio
import io
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.catalog.service.errors import ImageTooLarge, InvalidImage, UnsupportedImageType
from hawker.config import Settings
from hawker.kit.ids import new_id
from hawker.models import ProductImage
from hawker.shops.service import ensure_not_closed, get_shop

# format name -> (content type, file extension)
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


@dataclass(frozen=True)
class ProcessedImage:
    format: str
    width: int
    height: int
    original: bytes
    thumbnail: bytes
    thumb_width: int
    thumb_height: int

    @property
    def content_type(self) -> str:
        return FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][1]


def sniff_format(data: bytes) -> str | None:
    """The image format the leading bytes announce, if it is one Hawker accepts."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _clean(img: Image.Image, fmt: str) -> Image.Image:
    """Upright, in a mode the format stores, with no metadata attached."""
    img = ImageOps.exif_transpose(img)
    has_alpha = img.mode in ("RGBA", "LA", "PA", "RGBa") or "transparency" in img.info
    mode = "RGBA" if has_alpha and fmt != "JPEG" else "RGB"
    if fmt == "PNG" and img.mode in ("L", "1") and not has_alpha:
        mode = "L"
    clean = img.convert(mode)
    clean.info = {}
    return clean


def _encode(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.save(buf, format="JPEG", quality=90)
    elif fmt == "WEBP":
        img.save(buf, format="WEBP", quality=90)
    else:
        img.save(buf, format="PNG")
    return buf.getvalue()


def process_image(
    data: bytes, *, max_bytes: int, max_pixels: int, thumbnail_px: int
) -> ProcessedImage:
    """Validate and re-encode an upload; raises the catalog's image errors."""
    if len(data) > max_bytes:
        raise ImageTooLarge(
            f"The image is larger than {max_bytes} bytes.",
            details={"max_bytes": max_bytes},
        )
    fmt = sniff_format(data)
    if fmt is None:
        raise UnsupportedImageType("Only JPEG, PNG and WebP images are accepted.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data), formats=[fmt])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels(max_pixels) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise InvalidImage("The image data is corrupt.") from exc
        width, height = img.size
        if width <= 0 or height <= 0:
            raise InvalidImage("The image has no pixels.")
        if width * height > max_pixels:
            raise _too_many_pixels(max_pixels)
        try:
            img.load()
            clean = _clean(img, fmt)
        except (OSError, SyntaxError, ValueError) as exc:
            raise InvalidImage("The image data is corrupt.") from exc
    thumb = clean.copy()
    thumb.thumbnail((thumbnail_px, thumbnail_px), Image.Resampling.LANCZOS)
    return ProcessedImage(
        format=fmt,
        width=clean.width,
        height=clean.height,
        original=_encode(clean, fmt),
        thumbnail=_encode(thumb, fmt),
        thumb_width=thumb.width,
        thumb_height=thumb.height,
    )


def _too_many_pixels(max_pixels: int) -> ImageTooLarge:
    return ImageTooLarge(
        f"The image has more than {max_pixels} pixels.", details={"max_pixels": max_pixels}
    )


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


def _store(media_dir: Path, image_id: int, shop_id: int, img: ProcessedImage) -> tuple[str, str]:
    rel = Path("products") / str(shop_id)
    original = rel / f"{image_id}.{img.extension}"
    thumb = rel / f"{image_id}_thumb.{img.extension}"
    _write(media_dir / original, img.original)
    _write(media_dir / thumb, img.thumbnail)
    return f"/media/{original.as_posix()}", f"/media/{thumb.as_posix()}"


async def upload_image(
    session: AsyncSession, *, shop_id: int, data: bytes, settings: Settings, now: datetime
) -> ProductImage:
    """Check, re-encode and store an image in the shop's library (not yet on a product).

    A closed shop's library no longer changes (409 shop_closed).
    """
    ensure_not_closed(await get_shop(session, shop_id))
    processed = await asyncio.to_thread(
        process_image,
        data,
        max_bytes=settings.image_max_bytes,
        max_pixels=settings.image_max_pixels,
        thumbnail_px=settings.thumbnail_px,
    )
    image_id = new_id()
    uri, thumb_uri = await asyncio.to_thread(
        _store, settings.media_dir, image_id, shop_id, processed
    )
    image = ProductImage(
        id=image_id,
        shop_id=shop_id,
        product_id=None,
        position=0,
        uri=uri,
        thumb_uri=thumb_uri,
        content_type=processed.content_type,
        width=processed.width,
        height=processed.height,
        size_bytes=len(processed.original),
        created_at=now,
    )
    session.add(image)
    await session.flush()
    return image
