"""Reading Hawker's PDFs in tests: pages, text, and Code 128 barcodes decoded from the
drawn bars (the filled rectangles of the page's content stream)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PageObject, PdfReader
from pypdf.generic import ContentStream

A6_POINTS = (297.64, 419.53)  # 105 × 148 mm
A4_POINTS = (595.28, 841.89)

# The Code 128 symbol widths (bar, space, bar, space, bar, space), values 0 to 106 (stop).
CODE128 = [
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312",
    "132212", "221213", "221312", "231212", "112232", "122132", "122231", "113222",
    "123122", "123221", "223211", "221132", "221231", "213212", "223112", "312131",
    "311222", "321122", "321221", "312212", "322112", "322211", "212123", "212321",
    "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121",
    "313121", "211331", "231131", "213113", "213311", "213131", "311123", "311321",
    "331121", "312113", "312311", "332111", "314111", "221411", "431111", "111224",
    "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112",
    "421211", "212141", "214121", "412121", "111143", "111341", "131141", "114113",
    "114311", "411113", "411311", "113141", "114131", "311141", "411131", "211412",
    "211214", "211232", "2331112",
]  # fmt: skip
VALUE = {pattern: value for value, pattern in enumerate(CODE128)}


def pages(pdf: bytes) -> list[PageObject]:
    assert pdf.startswith(b"%PDF-")
    return list(PdfReader(io.BytesIO(pdf)).pages)


def size(page: PageObject) -> tuple[float, float]:
    box = page.mediabox
    return round(float(box.width), 2), round(float(box.height), 2)


def text(page: PageObject) -> str:
    return page.extract_text() or ""


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float


def bars(page: PageObject) -> list[Bar]:
    """Every filled rectangle on the page, in page coordinates (translations and scales)."""
    content = ContentStream(page.get_contents(), page.pdf)
    matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    stack: list[tuple[float, ...]] = []
    pending: list[tuple[float, float, float, float]] = []
    out: list[Bar] = []
    for operands, operator in content.operations:
        op = operator.decode() if isinstance(operator, bytes) else str(operator)
        if op == "q":
            stack.append(matrix)
        elif op == "Q":
            matrix = stack.pop()
        elif op == "cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            ma, mb, mc, md, me, mf = matrix
            matrix = (
                a * ma + b * mc,
                a * mb + b * md,
                c * ma + d * mc,
                c * mb + d * md,
                e * ma + f * mc + me,
                e * mb + f * md + mf,
            )
        elif op == "re":
            x, y, w, h = (float(v) for v in operands)
            ma, _, _, md, me, mf = matrix
            pending.append((ma * x + me, md * y + mf, ma * w, md * h))
        elif op in ("f", "f*", "F"):
            out.extend(Bar(*r) for r in pending)
            pending = []
        elif op in ("n", "S", "s", "B", "B*", "b", "b*"):
            pending = []
    return out


def _decode(group: list[Bar]) -> str | None:
    group.sort(key=lambda b: b.x)
    widths: list[float] = []
    for i, bar in enumerate(group):
        widths.append(bar.width)
        if i + 1 < len(group):
            widths.append(group[i + 1].x - (bar.x + bar.width))
    module = min(widths)
    if module <= 0:
        return None
    units = [round(w / module) for w in widths]
    symbols = [units[k : k + 6] for k in range(0, len(units) - 7, 6)]
    stop = "".join(map(str, units[-7:]))
    if stop != CODE128[106] or not symbols:
        return None
    try:
        values = [VALUE["".join(map(str, s))] for s in symbols]
    except KeyError:
        return None
    start, *data, check = values
    if start not in (103, 104, 105):
        return None
    if (start + sum(i * v for i, v in enumerate(data, 1))) % 103 != check:
        return None
    code = {103: "A", 104: "B", 105: "C"}[start]
    decoded = ""
    for v in data:
        if code == "C" and v < 100:
            decoded += f"{v:02d}"
        elif v == 99:
            code = "C"
        elif v == 100:
            code = "B"
        elif v == 101:
            code = "A"
        elif code == "B":
            decoded += chr(v + 32)
        else:
            decoded += chr(v + 32) if v < 64 else chr(v - 64)
    return decoded


def barcodes(page: PageObject) -> list[str]:
    """The Code 128 values drawn on the page (bars grouped by their baseline and height),
    each checked against its check symbol; top of the page first."""
    groups: dict[tuple[float, float], list[Bar]] = {}
    for bar in bars(page):
        if bar.height > 10:
            groups.setdefault((round(bar.y, 1), round(bar.height, 1)), []).append(bar)
    found = []
    for key in sorted(groups, key=lambda k: -k[0]):
        if len(groups[key]) >= 10 and (value := _decode(groups[key])) is not None:
            found.append(value)
    return found
