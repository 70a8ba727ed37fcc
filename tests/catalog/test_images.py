"""Image upload: the type comes from the bytes; size and pixel limits; stored clean."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from hawker.config import Settings
from hawker.runtime import Runtime
from tests.factories.accounts import Actor, signup
from tests.factories.catalog import catalog_counts, image_bytes
from tests.factories.shops import make_shop


async def seller(client: httpx.AsyncClient, rt: Runtime) -> tuple[Actor, dict[str, Any]]:
    owner = await signup(client)
    return owner, await make_shop(client, rt, owner)


async def upload(
    client: httpx.AsyncClient,
    owner: Actor,
    shop: dict[str, Any],
    data: bytes,
    name: str = "photo.png",
    content_type: str = "image/png",
) -> httpx.Response:
    return await client.post(
        f"/api/v1/seller/shops/{shop['id']}/images",
        files={"file": (name, data, content_type)},
        headers=owner.headers,
    )


def media_files(settings: Settings) -> list[Path]:
    root = settings.media_dir / "products"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("fmt", "content_type", "ext"),
    [("PNG", "image/png", "png"), ("JPEG", "image/jpeg", "jpg"), ("WEBP", "image/webp", "webp")],
)
async def test_valid_images_are_stored_with_a_thumbnail(
    client: httpx.AsyncClient,
    rt: Runtime,
    settings: Settings,
    fmt: str,
    content_type: str,
    ext: str,
) -> None:
    owner, shop = await seller(client, rt)
    data = image_bytes(fmt=fmt, size=(800, 600))
    # The declared name and type do not matter; the bytes do.
    r = await upload(client, owner, shop, data, name="upload.bin", content_type="text/plain")
    assert r.status_code == 201, r.text
    body = r.json()
    image_id = body["id"]
    assert body == {
        "id": image_id,
        "uri": f"/media/products/{shop['id']}/{image_id}.{ext}",
        "thumb_uri": f"/media/products/{shop['id']}/{image_id}_thumb.{ext}",
        "width": 800,
        "height": 600,
        "content_type": content_type,
    }
    original = settings.media_dir / "products" / shop["id"] / f"{image_id}.{ext}"
    thumb = settings.media_dir / "products" / shop["id"] / f"{image_id}_thumb.{ext}"
    assert media_files(settings) == sorted([original, thumb])
    with Image.open(original) as img:
        assert (img.format, img.size) == (fmt, (800, 600))
    with Image.open(thumb) as img:
        assert (img.format, img.size) == (fmt, (settings.thumbnail_px, 240))
    served = await client.get(body["thumb_uri"])
    assert served.status_code == 200
    assert served.content == thumb.read_bytes()


async def test_portrait_thumbnail_is_bounded_by_its_longest_side(
    client: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    owner, shop = await seller(client, rt)
    r = await upload(client, owner, shop, image_bytes(size=(100, 1000)))
    body = r.json()
    thumb = settings.media_dir / body["thumb_uri"].removeprefix("/media/")
    with Image.open(thumb) as img:
        assert img.size == (32, 320)


async def test_metadata_is_stripped(
    client: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    owner, shop = await seller(client, rt)
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"
    buf = io.BytesIO()
    Image.new("RGB", (50, 50), (1, 2, 3)).save(buf, format="JPEG", exif=exif.tobytes())
    r = await upload(client, owner, shop, buf.getvalue(), name="p.jpg", content_type="image/jpeg")
    assert r.status_code == 201
    stored = settings.media_dir / r.json()["uri"].removeprefix("/media/")
    with Image.open(stored) as img:
        assert dict(img.getexif()) == {}
        assert "exif" not in img.info


def gif() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, format="GIF")
    return buf.getvalue()


def truncated_png() -> bytes:
    data = image_bytes(size=(300, 300))
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        (b"hello, this is plain text", "x.png", 415, "unsupported_image_type"),
        (b"", "empty.png", 415, "unsupported_image_type"),
        (gif(), "anim.png", 415, "unsupported_image_type"),
        (truncated_png(), "broken.png", 400, "invalid_image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00not really" * 10, "garbage.png", 400, "invalid_image"),
    ],
)
async def test_bad_uploads_are_refused_and_store_nothing(
    client: httpx.AsyncClient,
    rt: Runtime,
    settings: Settings,
    data: bytes,
    name: str,
    status: int,
    code: str,
) -> None:
    owner, shop = await seller(client, rt)
    before = await catalog_counts(rt)
    r = await upload(client, owner, shop, data, name=name)
    assert (r.status_code, r.json()["error"]["code"]) == (status, code)
    assert await catalog_counts(rt) == before
    assert media_files(settings) == []


async def test_oversized_upload_is_413(
    client: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    owner, shop = await seller(client, rt)
    data = image_bytes(size=(200, 200))
    settings.image_max_bytes = len(data) - 1
    before = await catalog_counts(rt)
    r = await upload(client, owner, shop, data)
    assert (r.status_code, r.json()["error"]["code"]) == (413, "image_too_large")
    assert r.json()["error"]["details"] == {"max_bytes": len(data) - 1}
    settings.image_max_bytes = len(data)
    assert (await upload(client, owner, shop, data)).status_code == 201
    assert (await catalog_counts(rt))["product_images"] == before["product_images"] + 1


async def test_decompression_bomb_is_refused_before_decoding(
    client: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    owner, shop = await seller(client, rt)
    buf = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buf, format="PNG")  # 48 million pixels, a few KB
    assert len(buf.getvalue()) < 100_000
    r = await upload(client, owner, shop, buf.getvalue())
    assert (r.status_code, r.json()["error"]["code"]) == (413, "image_too_large")
    assert r.json()["error"]["details"] == {"max_pixels": settings.image_max_pixels}
    assert media_files(settings) == []


async def test_missing_file_field_is_a_validation_error(
    client: httpx.AsyncClient, rt: Runtime
) -> None:
    owner, shop = await seller(client, rt)
    r = await client.post(
        f"/api/v1/seller/shops/{shop['id']}/images",
        files={"other": ("a.png", image_bytes(), "image/png")},
        headers=owner.headers,
    )
    assert (r.status_code, r.json()["error"]["code"]) == (422, "validation_error")


async def test_only_shop_members_upload(
    client: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    _, shop = await seller(client, rt)
    stranger = await signup(client)
    r = await upload(client, stranger, shop, image_bytes())
    assert (r.status_code, r.json()["error"]["code"]) == (404, "shop_not_found")
    r = await upload(client, stranger, {"id": "123"}, image_bytes())
    assert (r.status_code, r.json()["error"]["code"]) == (404, "shop_not_found")
    assert media_files(settings) == []
