"""Shipping documents as PDF: A6 shipping labels and packing slips, and the pick list.

Pure rendering (no database): the service gathers the data into the dataclasses below.

- A shipping label (A6, 105 × 148 mm) carries the carrier and service, a routing code, the
  sender and the recipient, the tracking number as a Code 128 barcode (reportlab's barcode
  widget) and in text, the weight and box, the order and package references and, for a
  cross-border parcel, a CN22-style customs block (items, HS codes, values, origin, DDP or
  DDU). A declaration with more items than the label holds continues on the next page.
- A packing slip (A6) lists what the box must hold, with a barcode of the package id.
- The pick list (A4) groups a warehouse's packages of the day by SKU in shelf order.

Text is set in DejaVu Sans when the system has it (names and addresses beyond Latin-1),
else in Helvetica.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.widgets import BarcodeCode128
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hawker.kit.money import Money

A6 = (105 * mm, 148 * mm)
MARGIN = 4 * mm
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


class DocumentType(StrEnum):
    SHIPPING_LABEL = "SHIPPING_LABEL"
    PACKING_SLIP = "PACKING_SLIP"
    SHIPPING_LABEL_AND_PACKING_SLIP = "SHIPPING_LABEL_AND_PACKING_SLIP"

    @property
    def needs_label(self) -> bool:
        return self != DocumentType.PACKING_SLIP


@cache
def fonts() -> tuple[str, str]:
    """(regular, bold) font names: DejaVu Sans when installed, else Helvetica."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("HawkerSans", str(regular)))
            pdfmetrics.registerFont(TTFont("HawkerSans-Bold", str(bold)))
            return "HawkerSans", "HawkerSans-Bold"
    return "Helvetica", "Helvetica-Bold"


@dataclass(frozen=True)
class Party:
    name: str
    lines: tuple[str, ...]  # street, city line, country
    phone: str = ""


@dataclass(frozen=True)
class CustomsItem:
    description: str
    quantity: int
    hs_code: str
    origin_country: str
    value_minor: int  # customs value of these units, in the declaration's currency
    weight_g: int


@dataclass(frozen=True)
class CustomsBlock:
    duty_mode: str  # DDP or DDU
    currency: str
    items: tuple[CustomsItem, ...]
    locale: str = "en_US"

    @property
    def total_value_minor(self) -> int:
        return sum(i.value_minor for i in self.items)

    @property
    def total_weight_g(self) -> int:
        return sum(i.weight_g for i in self.items)


@dataclass(frozen=True)
class Label:
    tracking_number: str
    carrier_name: str
    service: str  # the service name, or the delivery level
    routing_code: str
    sender: Party
    recipient: Party
    weight_g: int
    dimensions_cm: tuple[int, int, int]
    chargeable_weight_g: int
    order_id: int
    package_id: int
    package_of: tuple[int, int]  # (this package's number, packages in the order)
    shipped_on: date
    customs: CustomsBlock | None = None


@dataclass(frozen=True)
class SlipLine:
    seller_sku: str
    product_name: str
    sku_name: str
    quantity: int


@dataclass(frozen=True)
class PackingSlip:
    shop_name: str
    order_id: int
    package_id: int
    package_of: tuple[int, int]
    ordered_on: date
    recipient: Party
    lines: tuple[SlipLine, ...]
    tracking_number: str | None = None
    carrier_name: str | None = None
    note: str = ""


def kg(grams: int) -> str:
    return f"{grams / 1000:.2f} kg"


def _fit(c: Canvas, text: str, font: str, size: float, width: float) -> str:
    """The text, cut with an ellipsis so that it fits `width`."""
    if c.stringWidth(text, font, size) <= width:
        return text
    while text and c.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _barcode(c: Canvas, value: str, *, x: float, y: float, width: float, height: float) -> float:
    """A Code 128 barcode of `value`, centred in `width`, its bars `height` tall; returns the
    height used (bars and the human-readable line)."""
    bar_width = 1.6
    while True:
        widget = BarcodeCode128(
            value=value,
            barHeight=height,
            barWidth=bar_width,
            humanReadable=True,
            quiet=True,
            fontName="Helvetica",
            fontSize=9,
        )
        x0, y0, x1, y1 = widget.getBounds()
        if x1 - x0 <= width or bar_width <= 0.6:
            break
        bar_width -= 0.1
    drawing = Drawing(x1 - x0, y1 - y0)
    drawing.add(widget)
    renderPDF.draw(drawing, c, x + (width - (x1 - x0)) / 2, y - y0)
    return float(y1 - y0)


def _party(
    c: Canvas,
    party: Party,
    *,
    x: float,
    top: float,
    width: float,
    size: float,
    bold: str,
    regular: str,
) -> float:
    """Name (bold) and address lines from `top` down; returns the new top."""
    y = top - size
    c.setFont(bold, size + 1)
    c.drawString(x, y, _fit(c, party.name, bold, size + 1, width))
    for line in (*party.lines, party.phone):
        if not line:
            continue
        y -= size + 2
        c.setFont(regular, size)
        c.drawString(x, y, _fit(c, line, regular, size, width))
    return y - 3


def _money(amount_minor: int, currency: str, locale: str) -> str:
    return Money(amount_minor, currency).format(locale)


CUSTOMS_ROW = 8.5


def _customs_rows(
    c: Canvas,
    block: CustomsBlock,
    items: Sequence[CustomsItem],
    *,
    x: float,
    top: float,
    width: float,
) -> float:
    regular, bold = fonts()
    cols = (x, x + 14, x + width - 112, x + width - 72, x + width - 50)
    c.setFont(bold, 6)
    for col, head in zip(
        cols, ("Qty", "Description of contents", "HS code", "Origin", "Value"), strict=True
    ):
        c.drawString(col, top - 7, head)
    y = top - 7
    c.setFont(regular, 6.5)
    for item in items:
        y -= CUSTOMS_ROW
        c.drawString(cols[0], y, str(item.quantity))
        c.drawString(cols[1], y, _fit(c, item.description, regular, 6.5, cols[2] - cols[1] - 3))
        c.drawString(cols[2], y, item.hs_code)
        c.drawString(cols[3], y, item.origin_country)
        c.drawRightString(x + width - 2, y, _money(item.value_minor, block.currency, block.locale))
    return y


def _customs(
    c: Canvas, block: CustomsBlock, *, x: float, top: float, width: float, bottom: float
) -> list[CustomsItem]:
    """The CN22-style block between `top` and `bottom`; returns the items that did not fit."""
    regular, bold = fonts()
    header, footer = 17.0, 17.0
    room = int((top - bottom - header - footer - 8) // CUSTOMS_ROW)
    shown = list(block.items[: max(room, 1)])
    rest = list(block.items[len(shown) :])
    rows = len(shown) + (1 if rest else 0)
    bottom = max(bottom, top - (header + footer + 8 + rows * CUSTOMS_ROW))
    c.setLineWidth(0.8)
    c.rect(x, bottom, width, top - bottom)
    c.setFont(bold, 7.5)
    c.drawString(x + 3, top - 9, "CUSTOMS DECLARATION CN 22")
    c.drawRightString(x + width - 3, top - 9, f"Duties: {block.duty_mode}")
    c.setFont(regular, 6)
    c.drawString(x + 3, top - 16, "[X] Sale of goods      May be opened officially")
    y = _customs_rows(c, block, shown, x=x + 3, top=top - header, width=width - 6)
    if rest:
        y -= CUSTOMS_ROW
        c.drawString(x + 17, y, f"continued on the next page ({len(rest)} more)")
    c.setFont(bold, 6.5)
    c.drawString(
        x + 3,
        bottom + 9,
        f"Total weight {kg(block.total_weight_g)}   Total value "
        + _money(block.total_value_minor, block.currency, block.locale),
    )
    c.setFont(regular, 5.5)
    duty_note = (
        "Duties and taxes paid by the sender (DDP)."
        if block.duty_mode == "DDP"
        else "Duties and taxes payable by the recipient on delivery (DDU)."
    )
    c.drawString(x + 3, bottom + 3, duty_note)
    return rest


def _label(c: Canvas, label: Label) -> None:
    regular, bold = fonts()
    w, h = A6
    x, width = MARGIN, w - 2 * MARGIN
    top = h - MARGIN
    # carrier, service and routing code
    size = 13.0
    while size > 9 and c.stringWidth(label.carrier_name, bold, size) > width * 0.62:
        size -= 0.5
    c.setFont(bold, size)
    c.drawString(x, top - 13, _fit(c, label.carrier_name, bold, size, width * 0.62))
    c.setFont(regular, 8)
    c.drawString(x, top - 24, _fit(c, label.service, regular, 8, width * 0.62))
    c.setFont(bold, 18)
    c.drawRightString(x + width, top - 18, label.routing_code)
    y = top - 30
    c.setLineWidth(1.2)
    c.line(x, y, x + width, y)
    # sender, recipient
    c.setFont(regular, 6)
    c.drawString(x, y - 7, "FROM")
    y = _party(
        c, label.sender, x=x + 24, top=y - 1, width=width - 24, size=6.5, bold=bold, regular=regular
    )
    c.setLineWidth(0.5)
    c.line(x, y, x + width, y)
    c.setFont(regular, 6)
    c.drawString(x, y - 8, "TO")
    y = _party(
        c,
        label.recipient,
        x=x + 24,
        top=y - 2,
        width=width - 24,
        size=10,
        bold=bold,
        regular=regular,
    )
    c.setLineWidth(1.2)
    c.line(x, y, x + width, y)
    # the tracking number
    used = _barcode(c, label.tracking_number, x=x, y=y - 66, width=width, height=52)
    y = y - 66 - 4 + (used - 62 if used > 62 else 0)
    c.setLineWidth(0.5)
    c.line(x, y, x + width, y)
    l_cm, w_cm, h_cm = label.dimensions_cm
    weight = f"Weight {kg(label.weight_g)}"
    c.setFont(bold, 8)
    c.drawString(x, y - 10, weight)
    c.setFont(regular, 7)
    c.drawString(
        x + c.stringWidth(weight, bold, 8) + 8,
        y - 10,
        f"Box {l_cm}×{w_cm}×{h_cm} cm   Chargeable {kg(label.chargeable_weight_g)}",
    )
    number, count = label.package_of
    c.drawString(x, y - 20, f"Order {label.order_id}")
    c.drawRightString(x + width, y - 20, f"Package {number} of {count}")
    c.drawString(x, y - 29, f"Ref {label.package_id}")
    c.drawRightString(x + width, y - 29, label.shipped_on.isoformat())
    y -= 33
    rest: list[CustomsItem] = []
    if label.customs is not None:
        rest = _customs(c, label.customs, x=x, top=y, width=width, bottom=MARGIN)
    c.showPage()
    while label.customs is not None and rest:
        c.setFont(bold, 9)
        c.drawString(x, top - 10, f"Customs declaration, continued: {label.tracking_number}")
        block = CustomsBlock(
            label.customs.duty_mode, label.customs.currency, tuple(rest), label.customs.locale
        )
        rest = _customs(c, block, x=x, top=top - 16, width=width, bottom=MARGIN)
        c.showPage()


SLIP_ROW = 11.0


def _slip(c: Canvas, slip: PackingSlip) -> None:
    regular, bold = fonts()
    w, h = A6
    x, width = MARGIN, w - 2 * MARGIN
    top = h - MARGIN
    lines = list(slip.lines)
    first = True
    while first or lines:
        c.setFont(bold, 12)
        c.drawString(x, top - 12, "PACKING SLIP")
        c.setFont(regular, 7)
        c.drawRightString(x + width, top - 12, _fit(c, slip.shop_name, regular, 7, width / 2))
        if not first:
            c.drawRightString(x + width, top - 21, f"Package {slip.package_id}, continued")
        y = top - 24 if not first else top - 18
        if first:
            c.drawString(x, y - 8, f"Order {slip.order_id}   ordered {slip.ordered_on.isoformat()}")
            number, count = slip.package_of
            c.drawString(x, y - 17, f"Package {slip.package_id} ({number} of {count})")
            if slip.tracking_number:
                c.drawString(x, y - 26, f"{slip.carrier_name or 'Carrier'}: {slip.tracking_number}")
            y -= 30
            c.setFont(regular, 6)
            c.drawString(x, y - 7, "SHIP TO")
            y = _party(
                c,
                slip.recipient,
                x=x + 30,
                top=y - 1,
                width=width - 30,
                size=8,
                bold=bold,
                regular=regular,
            )
        c.setLineWidth(0.8)
        c.line(x, y, x + width, y)
        c.setFont(bold, 6.5)
        c.drawString(x, y - 8, "✓")
        c.drawString(x + 10, y - 8, "Qty")
        c.drawString(x + 28, y - 8, "Item")
        c.drawRightString(x + width, y - 8, "Seller SKU")
        y -= 10
        bottom = MARGIN + 62  # room for the summary and the package barcode
        while lines and y - SLIP_ROW >= bottom:
            line = lines.pop(0)
            y -= SLIP_ROW
            c.rect(x, y - 1, 6, 6)
            c.setFont(bold, 8)
            c.drawString(x + 12, y, str(line.quantity))
            c.setFont(regular, 7)
            name = line.product_name + (f" · {line.sku_name}" if line.sku_name else "")
            c.drawString(x + 28, y, _fit(c, name, regular, 7, width - 90))
            c.drawRightString(x + width, y, _fit(c, line.seller_sku, regular, 7, 58))
        if lines:
            c.setFont(regular, 6.5)
            c.drawString(x, MARGIN + 2, f"continued on the next page ({len(lines)} more)")
        else:
            units = sum(ln.quantity for ln in slip.lines)
            c.setFont(bold, 7)
            c.drawString(x, y - 12, f"{units} unit(s) in {len(slip.lines)} line(s)")
            if slip.note:
                c.setFont(regular, 6.5)
                c.drawString(x, y - 21, _fit(c, f"Buyer's note: {slip.note}", regular, 6.5, width))
            _barcode(c, str(slip.package_id), x=x, y=MARGIN, width=width, height=32)
        first = False
        c.showPage()


def render_documents(
    documents: Sequence[Label | PackingSlip], *, title: str = "Shipping documents"
) -> bytes:
    """One PDF, A6 pages: a page per label or slip (more when a declaration or a slip's
    lines run over)."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A6, pageCompression=1)
    c.setTitle(title)
    c.setAuthor("Hawker")
    for doc in documents:
        if isinstance(doc, Label):
            _label(c, doc)
        else:
            _slip(c, doc)
    c.save()
    return buf.getvalue()


# --- the pick list --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PickPackage:
    package_id: int
    order_id: int
    quantity: int


@dataclass(frozen=True)
class PickLine:
    sku_id: int
    seller_sku: str
    product_name: str
    sku_name: str
    quantity: int
    packages: tuple[PickPackage, ...]


@dataclass(frozen=True)
class PickParcel:
    package_id: int
    order_id: int
    status: str
    tracking_number: str | None
    dispatch_deadline: datetime
    due: str | None
    units: int


@dataclass(frozen=True)
class PickList:
    shop_name: str
    warehouse_id: int
    warehouse_name: str
    day: date
    generated_at: datetime
    lines: tuple[PickLine, ...]
    packages: tuple[PickParcel, ...]

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


def render_pick_list(pick: PickList) -> bytes:
    """The pick list on A4: SKUs in shelf order with the units to pick and the packages they
    go to, then the packages to pack."""
    regular, bold = fonts()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"Pick list {pick.warehouse_name} {pick.day.isoformat()}",
        author="Hawker",
    )
    h1 = ParagraphStyle("h1", fontName=bold, fontSize=15, leading=19)
    small = ParagraphStyle("small", fontName=regular, fontSize=8.5, leading=11)
    cell = ParagraphStyle("cell", fontName=regular, fontSize=8.5, leading=10.5)
    story: list[object] = [
        Paragraph(f"Pick list · {pick.warehouse_name}", h1),
        Paragraph(
            f"{pick.shop_name} · {pick.day.isoformat()} · {len(pick.packages)} package(s), "
            f"{pick.units} unit(s) · generated {pick.generated_at:%Y-%m-%d %H:%M} UTC",
            small,
        ),
        Spacer(1, 6 * mm),
    ]
    rows: list[list[object]] = [["", "Seller SKU", "Item", "Qty", "Packages"]]
    for line in pick.lines:
        item = line.product_name + (f" · {line.sku_name}" if line.sku_name else "")
        parcels = ", ".join(f"{p.package_id} ×{p.quantity}" for p in line.packages)
        rows.append(
            [
                "☐",
                line.seller_sku,
                Paragraph(item, cell),
                str(line.quantity),
                Paragraph(parcels, cell),
            ]
        )
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, 0), bold, 8.5),
            ("FONT", (0, 1), (-1, -1), regular, 8.5),
            ("FONT", (3, 1), (3, -1), bold, 10),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f2f2")]),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (3, 0), (3, -1), "RIGHT"),
        ]
    )
    story.append(
        Table(
            rows, colWidths=[7 * mm, 32 * mm, 72 * mm, 12 * mm, 59 * mm], repeatRows=1, style=style
        )
    )
    story.append(Spacer(1, 8 * mm))
    story.append(
        Paragraph("Packages", ParagraphStyle("h2", fontName=bold, fontSize=11, leading=14))
    )
    story.append(Spacer(1, 2 * mm))
    parcel_rows: list[list[object]] = [["", "Package", "Order", "Units", "Tracking", "Dispatch by"]]
    for p in pick.packages:
        due = f" ({p.due})" if p.due else ""
        parcel_rows.append(
            [
                "☐",
                str(p.package_id),
                str(p.order_id),
                str(p.units),
                p.tracking_number or "—",
                f"{p.dispatch_deadline:%Y-%m-%d %H:%M}{due}",
            ]
        )
    story.append(
        Table(
            parcel_rows,
            colWidths=[7 * mm, 38 * mm, 38 * mm, 12 * mm, 38 * mm, 49 * mm],
            repeatRows=1,
            style=style,
        )
    )
    doc.build(story)
    return buf.getvalue()
