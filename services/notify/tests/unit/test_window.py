"""domain/window: the 07:00-22:00 Vietnam-time sending window of Decree 91/2020/NĐ-CP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from hssk_notify.domain.window import CLOSES, OPENS, VN, in_window, next_open


def vn(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=VN)


@pytest.mark.parametrize(
    ("at", "inside"),
    [
        (vn(2026, 12, 5, 6, 59, 59), False),
        (vn(2026, 12, 5, 7, 0), True),
        (vn(2026, 12, 5, 12, 0), True),
        (vn(2026, 12, 5, 21, 59, 59), True),
        (vn(2026, 12, 5, 22, 0), False),
        (vn(2026, 12, 5, 23, 30), False),
        (vn(2026, 12, 5, 0, 0), False),
        (datetime(2026, 12, 5, 0, 0, tzinfo=UTC), True),  # 07:00 in Vietnam
        (datetime(2026, 12, 4, 23, 59, tzinfo=UTC), False),  # 06:59 in Vietnam
        (datetime(2026, 12, 5, 15, 0, tzinfo=UTC), False),  # 22:00 in Vietnam
    ],
)
def test_in_window_is_07_00_inclusive_to_22_00_exclusive_vietnam_time(at, inside):
    assert in_window(at) is inside


def test_window_bounds_are_the_decree_hours():
    assert (OPENS.hour, OPENS.minute, CLOSES.hour, CLOSES.minute) == (7, 0, 22, 0)


def test_vietnam_is_utc_plus_seven():
    assert vn(2026, 6, 1, 12, 0).utcoffset() == timedelta(hours=7)
    assert vn(2026, 12, 1, 12, 0).utcoffset() == timedelta(hours=7)


def test_inside_the_window_next_open_is_now_in_utc():
    at = vn(2026, 12, 5, 21, 59, 59)
    opened = next_open(at)
    assert opened == at
    assert opened.utcoffset() == timedelta(0)


def test_after_22_00_next_open_is_tomorrow_07_00_vietnam_time():
    opened = next_open(vn(2026, 12, 5, 22, 30))
    assert opened == vn(2026, 12, 6, 7, 0)
    assert opened == datetime(2026, 12, 6, 0, 0, tzinfo=UTC)
    assert opened.tzinfo == UTC


def test_at_22_00_exactly_next_open_is_tomorrow():
    assert next_open(vn(2026, 12, 5, 22, 0)) == vn(2026, 12, 6, 7, 0)


def test_before_07_00_next_open_is_the_same_morning():
    assert next_open(vn(2026, 12, 5, 6, 59)) == vn(2026, 12, 5, 7, 0)
    assert next_open(vn(2026, 12, 5, 0, 0)) == vn(2026, 12, 5, 7, 0)


def test_utc_inputs_across_utc_midnight():
    # 16:30 UTC is 23:30 in Vietnam: the next opening is 00:00 UTC the next day.
    assert next_open(datetime(2026, 12, 5, 16, 30, tzinfo=UTC)) == datetime(
        2026, 12, 6, 0, 0, tzinfo=UTC
    )
    # 23:30 UTC on the 5th is already 06:30 on the 6th in Vietnam: half an hour to go.
    assert next_open(datetime(2026, 12, 5, 23, 30, tzinfo=UTC)) == datetime(
        2026, 12, 6, 0, 0, tzinfo=UTC
    )
    # 00:30 UTC is 07:30 in Vietnam: open.
    at = datetime(2026, 12, 6, 0, 30, tzinfo=UTC)
    assert next_open(at) == at


def test_year_end_rolls_over():
    assert next_open(vn(2026, 12, 31, 22, 15)) == vn(2027, 1, 1, 7, 0)


def test_other_offsets_are_converted():
    paris = timezone(timedelta(hours=1))
    # 16:30 in Paris is 22:30 in Vietnam.
    assert not in_window(datetime(2026, 12, 5, 16, 30, tzinfo=paris))
    assert next_open(datetime(2026, 12, 5, 16, 30, tzinfo=paris)) == vn(2026, 12, 6, 7, 0)


def test_every_minute_of_a_day_next_open_is_inside_and_not_earlier():
    start = vn(2026, 12, 5, 0, 0)
    for minute in range(0, 24 * 60, 7):
        at = start + timedelta(minutes=minute)
        opened = next_open(at)
        assert in_window(opened)
        assert at <= opened < at + timedelta(hours=9, minutes=1)
        assert (opened == at) is in_window(at)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        in_window(datetime(2026, 12, 5, 12, 0))
    with pytest.raises(ValueError):
        next_open(datetime(2026, 12, 5, 12, 0))
