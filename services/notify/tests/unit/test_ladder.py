"""domain/ladder: the order of channels to try and what to do after a refusal."""

from __future__ import annotations

from typing import get_args

import pytest

from hssk_notify.domain.ladder import after_failure, ladder
from hssk_notify.domain.messages import LADDER, ErrorClass

ALL = {"app": "tok-1", "zalo": "84901234567", "sms": "84901234567", "email": "a@b.vn"}


def test_without_a_preference_the_default_ladder_is_used():
    assert ladder(None, ALL) == [(c, ALL[c]) for c in LADDER]
    assert ladder([], ALL) == [(c, ALL[c]) for c in LADDER]


def test_the_citizens_own_order_is_kept():
    assert ladder(["email", "sms"], ALL) == [("email", "a@b.vn"), ("sms", "84901234567")]


def test_channels_left_out_of_a_preference_are_never_used():
    assert [c for c, _ in ladder(["zalo"], ALL)] == ["zalo"]


def test_channels_without_an_address_are_skipped():
    addresses = {"app": "", "zalo": "  ", "sms": "84901234567"}
    assert ladder(None, addresses) == [("sms", "84901234567")]
    assert ladder(["email", "app"], addresses) == []


def test_each_channel_once_and_unknown_names_ignored():
    assert ladder(["sms", "sms", "fax", "app", "sms"], ALL) == [
        ("sms", "84901234567"),
        ("app", "tok-1"),
    ]


def test_rejected_unicode_sms_is_retried_unaccented():
    assert after_failure("rejected_content", unicode=True) == "retry_unaccented"


def test_rejected_unaccented_sms_moves_on():
    assert after_failure("rejected_content", unicode=False) == "next_channel"


@pytest.mark.parametrize("error", [e for e in get_args(ErrorClass) if e != "rejected_content"])
@pytest.mark.parametrize("unicode", [True, False])
def test_every_other_error_moves_to_the_next_channel(error, unicode):
    assert after_failure(error, unicode=unicode) == "next_channel"


def test_no_error_class_moves_on():
    assert after_failure(None, unicode=True) == "next_channel"
