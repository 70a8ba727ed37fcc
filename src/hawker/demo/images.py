"""Product pictures drawn with Pillow, so the demo needs no downloads."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFont

SIZE = 800


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _gradient(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    img = Image.new("RGB", (SIZE, SIZE), top)
    draw = ImageDraw.Draw(img)
    for y in range(SIZE):
        t = y / (SIZE - 1)
        color = tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (SIZE, y)], fill=color)
    return img


def _shade(color: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return (
        max(0, min(255, int(color[0] * factor))),
        max(0, min(255, int(color[1] * factor))),
        max(0, min(255, int(color[2] * factor))),
    )


def _draw_shape(draw: ImageDraw.ImageDraw, shape: str, color: tuple[int, int, int]) -> None:
    dark = _shade(color, 0.7)
    c = SIZE // 2
    if shape == "shirt":
        draw.polygon(
            [
                (250, 220),
                (330, 190),
                (470, 190),
                (550, 220),
                (640, 330),
                (570, 380),
                (540, 350),
                (540, 600),
                (260, 600),
                (260, 350),
                (230, 380),
                (160, 330),
            ],
            fill=color,
            outline=dark,
            width=6,
        )
        draw.arc((350, 170, 450, 250), 0, 180, fill=dark, width=6)
    elif shape == "mug":
        draw.rounded_rectangle((250, 260, 500, 580), radius=30, fill=color, outline=dark, width=6)
        draw.arc((450, 330, 600, 500), -90, 90, fill=dark, width=26)
    elif shape == "phone":
        draw.rounded_rectangle((290, 170, 510, 630), radius=40, fill=dark)
        draw.rounded_rectangle((305, 200, 495, 590), radius=20, fill=color)
        draw.ellipse((385, 600, 415, 620), fill=color)
    elif shape == "bottle":
        draw.rectangle((365, 170, 435, 250), fill=dark)
        draw.rounded_rectangle((300, 240, 500, 630), radius=60, fill=color, outline=dark, width=6)
        draw.rectangle((300, 380, 500, 470), fill=_shade(color, 1.25))
    elif shape == "shoe":
        draw.polygon(
            [
                (180, 520),
                (200, 380),
                (300, 360),
                (380, 430),
                (560, 470),
                (630, 520),
                (630, 580),
                (180, 580),
            ],
            fill=color,
            outline=dark,
            width=6,
        )
        draw.rectangle((180, 560, 630, 600), fill=dark)
    elif shape == "bag":
        draw.arc((310, 160, 490, 360), 180, 360, fill=dark, width=18)
        draw.rounded_rectangle((220, 260, 580, 620), radius=36, fill=color, outline=dark, width=6)
    elif shape == "ball":
        draw.ellipse((220, 200, 580, 560), fill=color, outline=dark, width=8)
        draw.arc((220, 300, 580, 460), 0, 180, fill=dark, width=8)
        draw.line([(c, 200), (c, 560)], fill=dark, width=8)
    else:  # box
        draw.polygon([(230, 300), (400, 220), (570, 300), (400, 380)], fill=_shade(color, 1.2))
        draw.polygon([(230, 300), (400, 380), (400, 600), (230, 520)], fill=color)
        draw.polygon([(570, 300), (400, 380), (400, 600), (570, 520)], fill=dark)


def product_image(
    title: str, *, shape: str, color: tuple[int, int, int], seed: int = 0, label: str = ""
) -> bytes:
    """A square PNG showing a simple drawing of the product with its name."""
    rng = random.Random(seed)
    top = _shade(color, 1.9 + rng.random() * 0.2)
    bottom = _shade(color, 1.35)
    img = _gradient(top, bottom)
    draw = ImageDraw.Draw(img)
    for _ in range(6):  # soft confetti
        x, y, r = rng.randint(0, SIZE), rng.randint(0, 300), rng.randint(8, 24)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=_shade(color, 1.6))
    _draw_shape(draw, shape, color)
    draw.rounded_rectangle((40, 660, SIZE - 40, 760), radius=24, fill=(255, 255, 255))
    font = _font(40)
    text = title if len(title) <= 30 else title[:29] + "…"
    width = draw.textlength(text, font=font)
    draw.text(((SIZE - width) / 2, 688), text, fill=(30, 30, 40), font=font)
    if label:
        small = _font(30)
        draw.rounded_rectangle(
            (40, 40, 60 + draw.textlength(label, font=small), 90), radius=16, fill=(255, 45, 85)
        )
        draw.text((50, 48), label, fill=(255, 255, 255), font=small)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()
