"""domain/caps: completeness reminders per citizen and messages per number a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hssk_notify.domain.caps import Caps, completeness_refusal, number_free_at

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_no_reminder_yet_is_allowed():
    assert completeness_refusal([], 0, NOW) is None


def test_one_sent_within_seven_days_refuses():
    assert completeness_refusal([NOW - timedelta(days=6, hours=23)], 1, NOW) == "cap_citizen_7d"


def test_one_sent_exactly_seven_days_ago_no_longer_counts():
    assert completeness_refusal([NOW - timedelta(days=7)], 1, NOW) is None
    assert completeness_refusal([NOW - timedelta(days=7) + timedelta(seconds=1)], 1, NOW) == (
        "cap_citizen_7d"
    )


def test_a_time_after_now_counts_as_recent():
    assert completeness_refusal([NOW + H], 1, NOW) == "cap_citizen_7d"


def test_campaign_cap_applies_at_per_campaign():
    old = [NOW - timedelta(days=30), NOW - timedelta(days=20), NOW - timedelta(days=10)]
    assert completeness_refusal(old, 2, NOW) is None
    assert completeness_refusal(old, 3, NOW) == "cap_campaign"
    assert completeness_refusal(old, 4, NOW) == "cap_campaign"


def test_the_seven_day_cap_is_reported_before_the_campaign_cap():
    assert completeness_refusal([NOW - H], 3, NOW) == "cap_citizen_7d"


def test_custom_caps():
    caps = Caps(citizen_days=2, per_campaign=1)
    assert completeness_refusal([NOW - timedelta(days=3)], 0, NOW, caps) is None
    assert completeness_refusal([NOW - timedelta(days=1)], 0, NOW, caps) == "cap_citizen_7d"
    assert completeness_refusal([], 1, NOW, caps) == "cap_campaign"


def test_caps_below_one_are_refused():
    with pytest.raises(ValueError):
        Caps(per_number_day=0)


def test_number_is_free_below_the_daily_cap():
    assert number_free_at([], NOW) is None
    assert number_free_at([NOW - 2 * H, NOW - H], NOW) is None


def test_at_the_cap_the_number_frees_when_the_oldest_leaves_24_hours():
    sent = [NOW - H, NOW - 5 * H, NOW - 3 * H]
    assert number_free_at(sent, NOW) == NOW - 5 * H + timedelta(hours=24)


def test_a_message_sent_exactly_24_hours_ago_no_longer_counts():
    sent = [NOW - timedelta(hours=24), NOW - 2 * H, NOW - H]
    assert number_free_at(sent, NOW) is None


def test_above_the_cap_enough_must_leave_to_get_below_it():
    sent = [NOW - 10 * H, NOW - 8 * H, NOW - 6 * H, NOW - 4 * H, NOW - 2 * H]
    # five in the window, cap three: the third oldest must leave too
    assert number_free_at(sent, NOW) == NOW - 6 * H + timedelta(hours=24)


def test_custom_daily_cap():
    assert number_free_at([NOW - H], NOW, Caps(per_number_day=1)) == NOW + 23 * H


def test_free_at_is_exactly_when_the_number_becomes_free():
    # Property: the instant returned is free, and one second earlier is not.
    for gaps in ([1, 2, 3], [0, 0, 0], [23, 12, 1, 5], [1, 1, 1, 1, 1, 1], [20, 30, 2, 3]):
        sent = [NOW - g * H for g in gaps]
        free = number_free_at(sent, NOW)
        if free is None:
            continue
        assert free > NOW
        assert number_free_at(sent, free) is None
        assert number_free_at(sent, free - timedelta(seconds=1)) is not None
