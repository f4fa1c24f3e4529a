"""JSON log lines: one object per line that can always be written as UTF-8."""

from __future__ import annotations

import json
import logging
import sys

from hssk_kit.logging import JsonFormatter


def test_a_lone_surrogate_in_a_message_field_or_traceback_still_makes_one_utf8_json_line():
    try:
        raise ValueError("bad \ud800 input")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "saw \udfff", None, exc_info)
    record.reasons = ["name\ud800: text_invalid"]
    line = JsonFormatter("test").format(record)
    line.encode("utf-8")  # what the stream handler does; a surrogate would drop the line
    out = json.loads(line)
    assert "\n" not in line
    assert (out["msg"], out["reasons"]) == ("saw \udfff", ["name\ud800: text_invalid"])
    assert out["exc"].endswith("ValueError: bad \ud800 input")


def test_ordinary_text_is_written_as_is():
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "Bệnh viện Bạch Mai", None, None)
    assert '"msg": "Bệnh viện Bạch Mai"' in JsonFormatter("test").format(record)
