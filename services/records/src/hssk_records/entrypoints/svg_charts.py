"""Charts drawn on the server as SVG, from figures that already passed the disclosure gate: no
script, no library, nothing to download, printable. A hidden figure (None) is never drawn as a
value, not even as a zero: it is a hatched part or a word, "ẩn" (hidden), exactly as the API
answers null. Every chart is an `<svg role="img">` with a title; the table beside it holds the
numbers for a screen reader."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

HIDDEN = "ẩn"
INK, MUTED, GRID = "#1a1a1a", "#4a4a4a", "#d0d7de"
PALETTE = ("#0b5cad", "#2e7d32", "#b26a00", "#6a1b9a", "#00838f", "#ad1457", "#5d4037")
FONT = 'font-family="system-ui, sans-serif" font-size="13"'
HATCH = (
    '<defs><pattern id="hidden" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f2f2f2"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#8a8a8a" stroke-width="2"/></pattern></defs>'
)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: hidden by the gate
    flagged: bool = False  # drawn lighter and starred (an unstable rate)
    text: str = ""  # what is written at the bar's end (default: the value)


@dataclass(frozen=True)
class Stack:
    label: str
    parts: tuple[float | None, ...]  # one per series; None: hidden
    total: float | None  # the whole (hidden parts are what the known ones leave of it)


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" {FONT}>'
        f"<title>{escape(title)}</title>{HATCH}{''.join(body)}</svg>"
    )


def _text(x: float, y: float, words: str, anchor: str = "start", fill: str = INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}">{escape(words)}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, opacity: float = 1.0) -> str:
    shade = f' fill-opacity="{opacity}"' if opacity < 1 else ""
    place = f'x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}"'
    return f'<rect {place} fill="{fill}"{shade}/>'


def bars(title: str, rows: list[Bar], *, unit: str = "", width: int = 640) -> str:
    """Horizontal bars, one per row, scaled to the largest known value."""
    label_w, row_h, end_w = 210, 26, 90
    plot = width - label_w - end_w
    top = max((r.value for r in rows if r.value is not None), default=0) or 1
    body = []
    for i, r in enumerate(rows):
        y = 8 + i * row_h
        body.append(_text(label_w - 8, y + 16, _short(r.label), "end"))
        if r.value is None:
            body.append(_rect(label_w, y + 3, 36, row_h - 8, "url(#hidden)"))
            body.append(_text(label_w + 42, y + 16, HIDDEN, fill=MUTED))
            continue
        w = plot * r.value / top
        body.append(_rect(label_w, y + 3, w, row_h - 8, PALETTE[0], 0.45 if r.flagged else 1))
        said = (r.text or _number(r.value)) + unit + (" *" if r.flagged else "")
        body.append(_text(label_w + w + 6, y + 16, said))
    return _svg(width, 16 + len(rows) * row_h, title, body)


def stacked_shares(title: str, rows: list[Stack], series: list[str], *, width: int = 640) -> str:
    """One 100 % bar per row: each known part at its share of the total, and what hidden parts
    hold together (the total less the known parts) as one hatched stretch."""
    label_w, row_h = 210, 26
    plot = width - label_w - 10
    body, top = _legend(series, width)
    for i, r in enumerate(rows):
        y = top + i * row_h
        body.append(_text(label_w - 8, y + 16, _short(r.label), "end"))
        if not r.total:
            body.append(_rect(label_w, y + 3, 36, row_h - 8, "url(#hidden)"))
            body.append(_text(label_w + 42, y + 16, HIDDEN if r.total is None else "0", fill=MUTED))
            continue
        x = float(label_w)
        for k, part in enumerate(r.parts):
            if part:
                w = plot * part / r.total
                body.append(_rect(x, y + 3, w, row_h - 8, PALETTE[k % len(PALETTE)]))
                x += w
        known = sum(p for p in r.parts if p is not None)
        if None in r.parts and r.total > known:
            body.append(_rect(x, y + 3, plot * (r.total - known) / r.total, row_h - 8,
                              "url(#hidden)"))  # fmt: skip
    return _svg(width, top + 6 + len(rows) * row_h, title, body)


def stacked_columns(
    title: str, rows: list[Stack], series: list[str], *, width: int = 640, height: int = 260
) -> str:
    """One column per row (a week), its parts stacked, scaled to the largest known total; a
    hidden stretch hatched; a hidden total written "ẩn" at the foot of its column."""
    body, head = _legend(series, width)
    left, foot = 44, 40
    height += head
    plot_h = height - foot - head
    col = (width - left - 8) / max(len(rows), 1)
    top = max((r.total for r in rows if r.total is not None), default=0) or 1
    for tick in (0, round(top / 2), top):
        y = head + plot_h - plot_h * tick / top
        body.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" '
                    f'stroke="{GRID}"/>')  # fmt: skip
        body.append(_text(left - 4, y + 4, _number(tick), "end", MUTED))
    for i, r in enumerate(rows):
        x, w = left + i * col + 3, col - 6
        base = float(head + plot_h)
        body.append(_text(x + w / 2, height - foot + 16, r.label[-3:], "middle", MUTED))
        if r.total is None:
            body.append(_text(x + w / 2, base - 4, HIDDEN, "middle", MUTED))
            continue
        for k, part in enumerate(r.parts):
            if part:
                h = plot_h * part / top
                base -= h
                body.append(_rect(x, base, w, h, PALETTE[k % len(PALETTE)]))
        known = sum(p for p in r.parts if p is not None)
        if r.total > known:
            h = plot_h * (r.total - known) / top
            body.append(_rect(x, base - h, w, h, "url(#hidden)"))
    return _svg(width, height, title, body)


def _legend(series: list[str], width: int) -> tuple[list[str], int]:
    """The series' colours and names (and the hatch for "hidden"), wrapped into lines; returns
    the drawing and the height it takes."""
    out, x, y = [], 4.0, 4
    for k, name in enumerate([*series, HIDDEN]):
        room = 24 + 7.2 * len(name)
        if x + room > width and x > 4:
            x, y = 4.0, y + 20
        fill = "url(#hidden)" if k == len(series) else PALETTE[k % len(PALETTE)]
        out.append(_rect(x, y + 6, 12, 12, fill))
        out.append(_text(x + 16, y + 17, name, fill=MUTED if k == len(series) else INK))
        x += room + 8
    return out, y + 26


def _short(label: str, most: int = 28) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"


def _number(value: float) -> str:
    """Written the Vietnamese way: 1.341 (thousands), 12,5 (a decimal)."""
    whole = round(value)
    if abs(value - whole) < 1e-9:
        return f"{whole:,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
