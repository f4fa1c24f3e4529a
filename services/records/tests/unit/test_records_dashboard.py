"""The dashboard's charts and page, pure: a hidden figure is never drawn as a value (no bar, no
zero, a hatch or "ẩn"), bars are scaled to the largest known value, the page's tables say "ẩn"
exactly where the answers hold null, and nothing from the data reaches the page unescaped."""

from __future__ import annotations

import re

from hssk_records.entrypoints import dashboard_page
from hssk_records.entrypoints import svg_charts as svg
from hssk_records.entrypoints.svg_charts import Bar, Stack


def widths(drawing: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', drawing)]


def test_a_hidden_bar_is_a_hatch_and_a_word_never_a_value():
    drawing = svg.bars("t", [Bar("Phường A", 50.0), Bar("Phường B", None), Bar("Phường C", 25.0)])
    assert drawing.count('fill="url(#hidden)"') == 1 and ">ẩn<" in drawing
    solid = [w for w in widths(drawing) if w > 36]
    assert len(solid) == 2 and abs(solid[0] - 2 * solid[1]) < 0.2  # scaled to the largest
    assert ">0<" not in drawing  # hidden is not zero


def test_an_unstable_rate_is_lighter_and_starred():
    drawing = svg.bars("t", [Bar("Đái tháo đường", 12.5, flagged=True)], unit="‰")
    assert 'fill-opacity="0.45"' in drawing and "12,5‰ *" in drawing


def test_hidden_parts_of_a_share_are_hatched_together_and_a_hidden_total_draws_nothing():
    rows = [Stack("A", (60, None, 30), 100), Stack("B", (None, None, None), None)]
    drawing = svg.stacked_shares("t", rows, ["x", "y", "z"])
    bars = re.findall(
        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"[^>]*fill="([^"]+)"', drawing
    )
    row_a = [b for b in bars if float(b[2]) > 20 and b[3] != "url(#hidden)"]
    hatch = [b for b in bars if b[3] == "url(#hidden)" and float(b[2]) > 36]
    assert len(row_a) == 2 and len(hatch) == 1
    plot = 640 - 210 - 10
    assert abs(float(hatch[0][2]) - plot * 0.10) < 0.2  # what the hidden part holds: 10 of 100


def test_a_week_whose_total_is_hidden_is_written_hidden():
    rows = [Stack("2026-W48", (5, 5), 20), Stack("2026-W49", (None, None), None)]
    drawing = svg.stacked_columns("t", rows, ["J", "K"])
    assert drawing.count(">ẩn<") == 2  # the legend's, and the week's
    assert drawing.count('fill="url(#hidden)"') == 2  # the legend's, and W48's 10 hidden


def test_every_chart_is_an_image_with_a_title_and_escapes_what_it_is_given():
    drawing = svg.bars("<b>", [Bar("<script>", 1.0)])
    assert drawing.startswith("<svg") and 'role="img"' in drawing and "<title>&lt;b&gt;" in drawing
    assert "<script>" not in drawing


def answer(rows, **more):
    return {"fresh_as_of": "2026-12-07T10:00:00+00:00", "min_cell": 10, "rows": rows, **more}


def test_the_page_says_hidden_exactly_where_the_answers_hold_null():
    ward = {"name": "Phường <A>", "citizens": None, "complete": None, "complete_percent": None,
            "bands": {"0-24": None, "25-49": None, "50-74": None, "75-99": None, "100": None},
            "top_missing": []}  # fmt: skip
    shown = {**ward, "name": "Phường B", "citizens": 40, "complete": 0, "complete_percent": 0.0,
             "bands": {"0-24": 40, "25-49": 0, "50-74": 0, "75-99": 0, "100": 0}}  # fmt: skip
    visits = [{"week": "2026-W49", "chapter": "*", "label": "Tất cả", "visits": 30, "name": "TP"},
              {"week": "2026-W49", "chapter": "X", "label": "Hô hấp", "visits": None,
               "name": "TP"}]  # fmt: skip
    html = dashboard_page.page(
        "Lãnh đạo",
        answer([ward, shown], hidden_wards=[]),
        answer(visits, **{"from": "2026-W38", "to": "2026-W49"}),
        answer(
            [
                {
                    "label": "Tăng huyết áp",
                    "citizens": None,
                    "population": 40,
                    "per_1000": None,
                    "unstable": False,
                    "name": "TP",
                }
            ],
            year=2026,
        ),
        answer([]),
    )
    assert "Phường &lt;A&gt;" in html and "<A>" not in html
    cells = re.findall(r"<td>(.*?)</td>", html)
    hidden = cells.count('<span class="hidden">ẩn</span>')
    assert hidden == 3 + 1 + 2  # the ward's three figures, the week's chapter, the condition's
    assert "Chưa có đợt nhắc nào đủ số liệu." in html
