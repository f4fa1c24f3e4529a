"""Text hygiene at the boundary: refused characters are found wherever they hide in a JSON
document, named by path, and `shown` makes any value safe to echo back."""

from __future__ import annotations

import json

import pytest

from hssk_contracts import codec, text
from hssk_contracts.problems import DecodeError


@pytest.mark.parametrize(
    "raw, where",
    [
        (rb'{"name": "Nguy\ud800n"}', "name"),
        (rb'{"a": {"b": ["ok", "x\u001d"]}}', "a.b.1"),
        (b'{"a": "\x7f"}', "a"),
        ('{"a": "\u0085"}'.encode(), "a"),
        ('{"a": "\ufffe"}'.encode(), "a"),
        (rb'{"a": "\uDFFF"}', "a"),
        (rb'{"k\u0000": 1}', "k\\u0000"),
    ],
)
def test_refused_characters_are_named_by_path(raw, where):
    with pytest.raises(DecodeError) as caught:
        text.loads(raw)
    [problem] = caught.value.problems
    assert (problem.field, problem.rule) == (where, "text_invalid")
    json.dumps(problem.__dict__, ensure_ascii=False).encode()  # always encodable


@pytest.mark.parametrize(
    "raw",
    [
        rb'{"advice": "line one\nline two\ttabbed\r"}',
        '{"name": "Nguyễn Thị Lan 😀"}'.encode(),
        rb'{"escaped": "\\u001d is text, not a control"}',
        rb'{"emoji": "\ud83d\ude00"}',  # a proper surrogate pair is one character
    ],
)
def test_ordinary_text_passes(raw):
    assert text.loads(raw) == json.loads(raw)


@pytest.mark.parametrize(
    "raw, rule",
    [(b"\xff\xfe", "json_invalid"), (b'{"a": NaN}', "json_invalid"), (b"[" * 100_000, "")],
)
def test_broken_json_is_one_problem_at_the_root(raw, rule):
    with pytest.raises(DecodeError) as caught:
        text.loads(raw)
    [problem] = caught.value.problems
    assert problem.field == "$"
    assert problem.rule.startswith("json")


def test_syntax_errors_say_line_and_column_not_a_field():
    with pytest.raises(DecodeError) as caught:
        text.loads(b'{"a": 1,\n "b": }')
    [problem] = caught.value.problems
    assert problem.field == "$" and "line 2, column 7" in problem.message


def test_shown_escapes_what_cannot_be_encoded_and_truncates():
    assert text.shown("a\ud800b") == "a\\ud800b"
    assert text.shown(b"\xffok") == "\\xffok"
    assert text.shown({"a": 1}) is None
    assert len(text.shown("x" * 1000) or "") == text.SHOWN_MAX


def test_codec_refuses_a_lone_surrogate_in_an_event():
    raw = rb'{"event_id": "e\ud800xxxxxxx", "type": "VisitSubmitted"}'
    with pytest.raises(codec.DecodeError) as caught:
        codec.decode("emr.visit.v1", raw)
    assert caught.value.problems[0].field == "event_id"


@pytest.mark.parametrize("digits", ["١٢٣٤٥", "１２３４５", "𝟏𝟐𝟑𝟒𝟓"])
def test_codes_take_ascii_digits_only(digits):
    from pydantic import TypeAdapter, ValidationError

    from hssk_contracts import identifiers
    from hssk_contracts.codes import FacilityCode

    with pytest.raises(ValidationError):
        TypeAdapter(FacilityCode).validate_python(digits)
    assert identifiers.format_problem("cccd", digits * 2 + digits[:2]) is not None
