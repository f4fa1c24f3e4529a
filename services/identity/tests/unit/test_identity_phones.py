"""Phone numbers compared as numbers: one E.164 form for every way a number is written, the
2018 mobile and 2017 Hà Nội landline renumberings undone, and what is no number never compared
(so two blanks or two typos never "agree")."""

from __future__ import annotations

import pytest

from hssk_identity.domain import matching
from hssk_identity.domain.phones import canonical


@pytest.mark.parametrize(
    "written",
    ["0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678",
     "0084912345678", "(+84) 912-345-678"],
)  # fmt: skip
def test_every_way_of_writing_a_mobile_number_is_one_number(written):
    assert canonical(written) == "+84912345678"


@pytest.mark.parametrize(
    ("before", "after"),
    [("01662345678", "0362345678"), ("0121 234 5678", "0792345678"),
     ("01234567890", "0834567890"), ("0186 123 4567", "0561234567"),
     ("(04) 3825 1234", "024 3825 1234")],
)  # fmt: skip
def test_the_renumberings_are_undone(before, after):
    assert canonical(before) == canonical(after) is not None


@pytest.mark.parametrize("junk", ["", None, "12345", "0912345", "abc", "0000000000"])
def test_what_is_no_number_is_never_compared(junk):
    assert canonical(junk) is None


def test_another_countrys_number_keeps_its_country():
    assert canonical("+1 650 253 0000") == "+16502530000"


def test_the_matcher_sees_the_same_phone_however_it_was_written():
    def demo(phone):
        from hssk_identity.domain.person import demographics_of
        from hssk_identity.domain.query import Query

        return demographics_of(Query(name="Nguyễn Thị Lan", birth_date="1960-01-01",
                                     sex="female", phone=phone))  # fmt: skip

    a, b = demo("+84 166 234 5678"), demo("036 234 5678")
    assert a.phone == b.phone == "+84362345678"
    weights = matching.compare(a, "p", b).weights
    assert weights.get("phone:agree") and "phone:disagree" not in weights
