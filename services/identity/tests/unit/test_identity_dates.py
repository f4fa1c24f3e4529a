"""hssk_identity.domain.dates: birth dates with their precision, and how two of them agree."""

from __future__ import annotations

import pytest

from hssk_identity.domain import dates
from hssk_identity.domain.dates import BirthDate, impossibility, parse_birth_date


def d(text: str) -> BirthDate:
    parsed = parse_birth_date(text)
    assert parsed is not None
    return parsed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990-05-03", BirthDate(1990, 5, 3, estimated=False)),
        ("1990-05", BirthDate(1990, 5, None, estimated=False)),
        ("1990", BirthDate(1990, None, None, estimated=True)),
        ("1990-01-01", BirthDate(1990, 1, 1, estimated=True)),  # the usual "year only" stand-in
        ("1990-01-02", BirthDate(1990, 1, 2, estimated=False)),
        ("1990-12-01", BirthDate(1990, 12, 1, estimated=False)),
        ("2024-02-29", BirthDate(2024, 2, 29, estimated=False)),  # leap year
        ("  1975-04-30 ", BirthDate(1975, 4, 30, estimated=False)),
    ],
)
def test_parse_keeps_the_precision_given(text, expected):
    assert parse_birth_date(text) == expected


@pytest.mark.parametrize("text", [None, "", "   "])
def test_missing_birth_date_is_none(text):
    assert parse_birth_date(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "1990-5-3",
        "1990/05/03",
        "03/05/1990",
        "19900503",
        "90-05-03",
        "1990-05-03T00:00",
        "199O",
        "abcd",
        "0000",
        "1700-06-01",
    ],
)
def test_parse_refuses_what_is_no_date_at_all(text):
    with pytest.raises(ValueError, match="birth date") as error:
        parse_birth_date(text)
    assert repr(text) in str(error.value)


@pytest.mark.parametrize(
    ("text", "kept", "why"),
    [("1990-02-30", "1990-02", "has 28 days"), ("2023-02-29", "2023-02", "has 28 days"),
     ("1990-04-31", "1990-04", "has 30 days"), ("1990-05-00", "1990-05", "has 31 days"),  # day 0
     ("1990-13-01", "1990", "no month 13"), ("1990-00-10", "1990", "no month 0")],
)  # fmt: skip
def test_a_date_that_cannot_exist_keeps_what_can_be_trusted_and_says_why(text, kept, why):
    # Registries do send them: registered with a warning and compared with less weight.
    assert parse_birth_date(text).isoformat() == kept
    assert why in impossibility(text) and impossibility(kept) is None


@pytest.mark.parametrize("text", ["1990-05-03", "1990-05", "1990"])
def test_isoformat_round_trips(text):
    assert d(text).isoformat() == text


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("1990-05-03", "1990-05-03", dates.EXACT),
        ("1990-05", "1990-05", dates.EXACT),
        # one side only knows the year, or wrote the 01/01 stand-in
        ("1990", "1990-05-03", dates.YEAR_ONLY_AGREES),
        ("1990", "1990", dates.YEAR_ONLY_AGREES),
        ("1990-01-01", "1990-05-03", dates.YEAR_ONLY_AGREES),
        ("1990-01-01", "1990-01-01", dates.YEAR_ONLY_AGREES),
        ("1990-01-01", "1990-01-10", dates.YEAR_ONLY_AGREES),
        ("1990-05", "1990-05-03", dates.YEAR_ONLY_AGREES),
        # day and month the wrong way round
        ("1990-05-03", "1990-03-05", dates.SWAPPED),
        ("2001-12-07", "2001-07-12", dates.SWAPPED),
        ("1990-01-05", "1990-05-01", dates.SWAPPED),
        # one digit mistyped, or two neighbouring digits transposed
        ("1990-05-03", "1990-05-08", dates.ONE_DIGIT),
        ("1990-05-13", "1990-05-31", dates.ONE_DIGIT),
        ("1985-05-03", "1958-05-03", dates.ONE_DIGIT),
        ("1990-05-03", "1990-06-03", dates.ONE_DIGIT),
        ("1990-05-03", "1992-05-03", dates.ONE_DIGIT),
        ("1990-05-03", "1991-05-03", dates.ONE_DIGIT),  # also a year apart: the typo wins
        # a year apart, nothing else known to differ
        ("1989-05-03", "1990-05-03", dates.CLOSE_YEAR),
        ("1990", "1991", dates.CLOSE_YEAR),
        ("1990", "1991-07-15", dates.CLOSE_YEAR),
        ("1990-01-01", "1991-06-10", dates.CLOSE_YEAR),
        ("1990-05", "1991-05", dates.CLOSE_YEAR),
        # anything else
        ("1990-05-03", "1987-05-03", dates.DIFFERENT),
        ("1990-05-03", "1990-07-21", dates.DIFFERENT),
        ("1990-05-03", "1990-03-06", dates.DIFFERENT),
        ("1990-05", "1990-06-03", dates.DIFFERENT),
        ("1990-05", "1990-06", dates.DIFFERENT),
        ("1989-05-03", "1990-06-03", dates.DIFFERENT),
        ("1990", "1995", dates.DIFFERENT),
        ("1990", "1988-01-01", dates.DIFFERENT),
    ],
)
def test_compare_levels_are_symmetric(a, b, level):
    assert dates.compare(d(a), d(b)) == level
    assert dates.compare(d(b), d(a)) == level


def test_levels_are_the_agreed_strings():
    assert (
        dates.EXACT,
        dates.YEAR_ONLY_AGREES,
        dates.SWAPPED,
        dates.ONE_DIGIT,
        dates.CLOSE_YEAR,
        dates.DIFFERENT,
    ) == ("exact", "year_agrees", "day_month_swapped", "one_digit", "close_year", "different")


def test_birth_date_is_frozen():
    with pytest.raises(AttributeError):
        d("1990-05-03").year = 1991  # type: ignore[misc]
