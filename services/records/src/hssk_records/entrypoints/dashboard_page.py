"""The leader's dashboard, and a ward officer's view of their own ward, as one HTML page drawn
on the server from the statistics' answers (the same use cases and disclosure gate as
`/v1/stats`, so a figure hidden there is hidden here): completeness by ward, visits by ICD-10
chapter week by week, chronic conditions per 1,000, and whether reminders work (the reminded
against the random hold-out). Each chart has its table; a hidden figure reads "ẩn"."""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import Any

from hssk_kit.staff_pages import shell
from hssk_records.entrypoints import svg_charts as svg
from hssk_records.entrypoints.svg_charts import HIDDEN, Bar, Stack

MOST_WARDS_CHARTED = 30
CHAPTERS_CHARTED = 5
BAND_NAMES = ["0–24 %", "25–49 %", "50–74 %", "75–99 %", "đủ 46/46"]
TITLE = "Số liệu hồ sơ sức khỏe"
GROUP_NAMES = {"reminded": "được nhắc", "held_out": "không nhắc (đối chứng)"}


def page(
    who_label: str,
    completeness: dict[str, Any],
    visits: dict[str, Any],
    conditions: dict[str, Any],
    reminders: dict[str, Any],
) -> str:
    sections = [
        _completeness(completeness),
        _visits(visits),
        _conditions(conditions),
        _reminders(reminders),
    ]
    gate = (
        f"Ô dưới {completeness['min_cell']} người không bao giờ được công bố (ghi “{HIDDEN}”, "
        "gạch chéo trên biểu đồ), kể cả khi có thể suy ra từ tổng. Tỷ lệ từ dưới 20 người "
        "đánh dấu * (không ổn định)."
    )
    head = (
        f'<p class="fresh">Cập nhật đến: <time>{escape(_when(completeness.get("fresh_as_of")))}'
        f'</time> (UTC)</p><p class="gate">{escape(gate)}</p>'
    )
    return shell(TITLE, head + "".join(sections), who=who_label)


def _completeness(answer: dict[str, Any]) -> str:
    rows = answer["rows"]

    def acting_first(r: dict) -> tuple:  # the least complete wards first: where to act
        bands, n = r["bands"], r["citizens"] or 0
        high = (bands.get("75-99") or 0) + (bands.get("100") or 0)
        return (r["citizens"] is None, high / n if n else 1.0, r["name"])

    ordered = sorted(rows, key=acting_first)
    stacks = [
        Stack(
            r["name"],
            tuple(r["bands"].get(b) for b in ("0-24", "25-49", "50-74", "75-99", "100")),
            r["citizens"],
        )
        for r in ordered[:MOST_WARDS_CHARTED]
    ]
    shown = len(stacks)
    caption = (
        f"{shown} trên {len(rows)} xã/phường, ít đầy đủ nhất trước"
        if len(rows) > shown
        else "ít đầy đủ nhất trước"
    )
    chart = svg.stacked_shares("Mức đầy đủ của hồ sơ theo xã/phường", stacks, BAND_NAMES)
    table = _table(
        ["Xã/phường", "Người", "Đủ 46/46", "%", "Thiếu nhiều nhất"],
        [
            [
                r["name"],
                r["citizens"],
                r["complete"],
                r["complete_percent"],
                (r["top_missing"][0]["label"] if r["top_missing"] else "—"),
            ]
            for r in ordered
        ],
    )
    hidden = answer.get("hidden_wards") or []
    rolled = "".join(
        f"<li>{escape(h['name'])}: {h['wards_hidden']} xã/phường nhỏ gộp lại, "
        f"{_cell(h['together'])} người</li>"
        for h in hidden
    )
    extra = f"<p>Xã/phường quá nhỏ để công bố riêng:</p><ul>{rolled}</ul>" if rolled else ""
    return _section("completeness", "Hồ sơ đầy đủ đến đâu", caption, chart, table + extra)


def _visits(answer: dict[str, Any]) -> str:
    rows = answer["rows"]
    weeks = sorted({r["week"] for r in rows})
    totals = Counter[str]()  # every chapter seen, hidden weeks or not, the largest first
    for r in rows:
        if r["chapter"] != "*":
            totals[r["chapter"]] += r["visits"] or 0
    charted = [c for c, _ in totals.most_common(CHAPTERS_CHARTED)]
    labels = {r["chapter"]: r["label"] for r in rows}
    cell = {(r["week"], r["chapter"]): r["visits"] for r in rows}
    stacks = []
    for week in weeks:
        total = cell.get((week, "*"))
        parts = [cell.get((week, c), 0) for c in charted]
        others = [v for (w, c), v in cell.items() if w == week and c not in (*charted, "*")]
        parts.append(sum(v for v in others if v is not None))  # the other chapters, together
        stacks.append(Stack(week, tuple(parts), total))  # what is hidden: the rest of the total
    series = [labels[c] for c in charted] + ["chương khác"]
    chart = svg.stacked_columns("Lượt khám theo chương ICD-10, từng tuần", stacks, series)
    table = _table(
        ["Tuần", "Tất cả", *series[:-1]],
        [[w, cell.get((w, "*")), *(cell.get((w, c), 0) for c in charted)] for w in weeks],
    )
    area = rows[0]["name"] if rows else "—"
    caption = f"{area}, {answer['from']} → {answer['to']} (tuần ISO, giờ Việt Nam)"
    return _section("visits", "Vì sao người dân đi khám", caption, chart, table)


def _conditions(answer: dict[str, Any]) -> str:
    rows = sorted(answer["rows"], key=lambda r: (r["per_1000"] is None, -(r["per_1000"] or 0)))
    chart = svg.bars(
        "Bệnh mạn tính trên 1.000 dân",
        [Bar(r["label"], r["per_1000"], flagged=r["unstable"]) for r in rows],
        unit="‰",
    )
    table = _table(
        ["Bệnh", "Người mắc", "Dân số", "‰"],
        [
            [r["label"], r["citizens"], r["population"], _rate(r["per_1000"], r["unstable"])]
            for r in rows
        ],
    )
    area = rows[0]["name"] if rows else "—"
    caption = f"{area}, mọi giới và độ tuổi, năm {answer.get('year')}"
    return _section("conditions", "Bệnh mạn tính", caption, chart, table)


def _reminders(answer: dict[str, Any]) -> str:
    measured = [r for r in answer["rows"] if "reminded" in r]
    bars = [
        Bar(
            f"{GROUP_NAMES[g]} · {r['campaign'].split(':')[-1]}",
            r[g]["completed_percent"],
            flagged=r[g]["unstable"],
        )
        for r in measured
        for g in ("reminded", "held_out")
    ]
    chart = svg.bars("Tỷ lệ bổ sung hồ sơ sau nhắc nhở", bars, unit=" %") if bars else ""
    table = _table(
        ["Đợt", "Nhắc", "Được nhắc: bổ sung %", "Đối chứng: bổ sung %", "Chênh lệch (điểm)"],
        [
            [
                r["campaign"],
                r["reminders"],
                _rate(r["reminded"]["completed_percent"], r["reminded"]["unstable"]),
                _rate(r["held_out"]["completed_percent"], r["held_out"]["unstable"]),
                r["difference_points"],
            ]
            for r in measured
        ],
    )
    caption = (
        "Một phần người thiếu thông tin được chọn ngẫu nhiên để không nhắc: so hai nhóm mới "
        "biết nhắc nhở có tác dụng không."
    )
    if not measured:
        table = "<p>Chưa có đợt nhắc nào đủ số liệu.</p>"
    return _section("reminders", "Nhắc nhở có tác dụng không", caption, chart, table)


def _section(key: str, title: str, caption: str, chart: str, table: str) -> str:
    return (
        f'<section id="{key}" aria-labelledby="{key}-title"><h2 id="{key}-title">'
        f'{escape(title)}</h2><p class="caption">{escape(caption)}</p>'
        f'<figure class="chart">{chart}</figure>{table}</section>'
    )


def _table(head: list[str], rows: list[list[Any]]) -> str:
    ths = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    table = f'<table class="figures"><thead><tr>{ths}</tr></thead><tbody>{trs}</tbody></table>'
    return f'<div class="scroll" tabindex="0">{table}</div>'


def _cell(value: Any) -> str:
    if value is None:
        return f'<span class="hidden">{HIDDEN}</span>'
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return escape(str(value))


def _rate(value: float | None, unstable: bool) -> Any:
    return value if value is None or not unstable else f"{_cell(value)} *"


def _when(instant: str | None) -> str:
    return instant[:16].replace("T", " ") if instant else "chưa có"
