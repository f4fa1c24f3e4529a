"""domain/stats/disclosure: small cells are suppressed, and enough others that no suppressed cell
comes back as a visible total minus its visible parts (nor a suppressed total as the sum of its
visible parts), in ward/province hierarchies, 2-D tables and with hidden complements; rates are
withheld or flagged unstable."""

from __future__ import annotations

import dataclasses
import random

import pytest
from disclosure_checks import POLICY, assert_nothing_recovered, assert_safe, hierarchy, table

from hssk_records.domain.stats.disclosure import Group, Key, Policy, Rate, rate, suppressed

# --- hierarchies: wards of a province ----------------------------------------------------------


def test_a_ward_of_4_diabetics_is_suppressed_with_its_smallest_neighbour() -> None:
    wards: dict[Key, int] = {("P", "W1"): 30, ("P", "W2"): 25, ("P", "W3"): 12, ("P", "W4"): 4}
    counts, groups = hierarchy(("P",), wards)
    result = suppressed(counts, groups, POLICY)
    # 71 - 30 - 25 = 16: neither the 4 nor the 12 can be told apart.
    assert result == {("P", "W4"), ("P", "W3")}
    assert_safe(counts, groups, result)
    assert_nothing_recovered(counts, groups, result)


def test_a_small_ward_next_to_one_large_ward_hides_both_but_keeps_the_province() -> None:
    counts, groups = hierarchy(("P",), {("P", "a"): 4, ("P", "b"): 30})
    result = suppressed(counts, groups, POLICY)
    assert result == {("P", "a"), ("P", "b")}
    assert ("P",) not in result


def test_nothing_is_suppressed_when_every_cell_is_large_or_zero() -> None:
    counts, groups = hierarchy(("P",), {("P", "a"): 10, ("P", "b"): 0, ("P", "c"): 25})
    assert suppressed(counts, groups, POLICY) == frozenset()


def test_zero_cells_are_shown_and_never_chosen_as_partners() -> None:
    parts: dict[Key, int] = {("P", "a"): 0, ("P", "b"): 3, ("P", "c"): 30, ("P", "d"): 0}
    counts, groups = hierarchy(("P",), parts)
    result = suppressed(counts, groups, POLICY)
    assert result == {("P", "b"), ("P", "c")}
    assert_safe(counts, groups, result)


def test_a_key_missing_from_counts_counts_as_zero() -> None:
    counts = {("P",): 30, ("P", "a"): 30}  # ("P", "b") is absent: nobody there
    groups = [Group(("P",), (("P", "a"), ("P", "b")))]
    assert suppressed(counts, groups, POLICY) == frozenset()


def test_ties_go_to_the_first_key_in_sorted_order() -> None:
    parts: dict[Key, int] = {("b", "1"): 12, ("a", "2"): 12, ("c", "0"): 4, ("d", "0"): 30}
    counts, groups = hierarchy(("P",), parts)
    assert suppressed(counts, groups, POLICY) == {("c", "0"), ("a", "2")}


def test_a_large_cell_suppressed_for_another_group_gets_a_partner_in_each_group() -> None:
    # x protects y in province P1; in band group B the x alone would be B - z, which gives y back.
    counts: dict[Key, int] = {("P1",): 15, ("x",): 12, ("y",): 3, ("B",): 52, ("z",): 40}
    groups = [Group(("P1",), (("x",), ("y",))), Group(("B",), (("x",), ("z",)))]
    result = suppressed(counts, groups, POLICY)
    assert result == {("y",), ("x",), ("z",)}
    assert_safe(counts, groups, result)
    assert_nothing_recovered(counts, groups, result)


def test_the_total_is_suppressed_when_no_shown_part_can_help() -> None:
    # a is suppressed to protect c in U; in T the only other part is 0, so T must go: T = a.
    counts: dict[Key, int] = {("T",): 15, ("a",): 15, ("b",): 0, ("U",): 20, ("c",): 5}
    groups = [Group(("T",), (("a",), ("b",))), Group(("U",), (("a",), ("c",)))]
    result = suppressed(counts, groups, POLICY)
    assert result == {("a",), ("c",), ("T",)}
    assert_safe(counts, groups, result)
    assert_nothing_recovered(counts, groups, result)


def test_a_suppressed_total_whose_parts_are_all_shown_gets_a_part_suppressed() -> None:
    # Ward B (14) partners ward A (6) in the province; were B's bands (14, 0) shown, B = 14 and
    # then A = 60 - 40 - 14 = 6.
    # (C has bands too, so no partner is free of cost and the smallest, B, is taken.)
    counts: dict[Key, int] = {("P",): 60, ("A",): 6, ("B",): 14, ("C",): 40}
    counts |= {("A", "0"): 6, ("A", "1"): 0, ("B", "0"): 14, ("B", "1"): 0}
    counts |= {("C", "0"): 40, ("C", "1"): 0}
    groups = [
        Group(("P",), (("A",), ("B",), ("C",))),
        Group(("A",), (("A", "0"), ("A", "1"))),
        Group(("B",), (("B", "0"), ("B", "1"))),
        Group(("C",), (("C", "0"), ("C", "1"))),
    ]
    result = suppressed(counts, groups, POLICY)
    assert result == {("A",), ("A", "0"), ("B",), ("B", "0")}
    assert_safe(counts, groups, result)
    assert_nothing_recovered(counts, groups, result)


# --- overlapping groups: a 2-D table with row and column totals --------------------------------


def test_one_small_cell_in_a_table_forces_complements_in_its_row_and_column() -> None:
    counts, groups = table(
        {"W1": (20, 15, 30), "W2": (25, 3, 40), "W3": (18, 22, 12)}, ("A0", "A1", "A2")
    )
    result = suppressed(counts, groups, POLICY)
    # The rectangle: a partner in the row, one in the column, and the corner closing both.
    assert result == {("W2", "A1"), ("W1", "A1"), ("W1", "A0"), ("W2", "A0")}
    assert_safe(counts, groups, result)
    assert_nothing_recovered(counts, groups, result)


def test_random_tables_are_safe_group_by_group() -> None:
    rng = random.Random(20261120)
    for _ in range(200):
        bands = [f"b{i}" for i in range(rng.randint(2, 5))]
        cells = {
            f"w{w}": [rng.choice([0, 0, 1, 4, 9, 10, 15, 30, 40]) for _ in bands]
            for w in range(rng.randint(2, 6))
        }
        counts, groups = table(cells, bands)
        assert_safe(counts, groups, suppressed(counts, groups, POLICY))


def test_a_partner_that_costs_nothing_more_closes_a_gap_group_rules_alone_left_open() -> None:
    # With the smallest partner taken blindly, every row and column was safe on its own, but
    # rows w1 + w2 minus column b1 fixed w1/b2 + w2/b2 = 17, and column b2 gave w0/b2 = 5.
    cells = {"w0": (2, 0, 5), "w1": (100, 2, 12), "w2": (100, 30, 5), "w3": (12, 0, 30)}
    counts, groups = table(cells, ("b0", "b1", "b2"))
    result = suppressed(counts, groups, POLICY)
    assert_safe(counts, groups, result)
    assert_nothing_recovered(counts, groups, result)


# --- hidden complements ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("citizens", "missing", "expected"),
    [
        (12, 11, {"missing"}),  # 12 - 11 would give the hidden 1 back
        (14, 10, {"missing"}),  # ... the hidden 4
        (12, 2, {"missing"}),  # 2 is small; with the hidden 10 the pair is safe
        (12, 1, {"missing"}),
        (25, 2, {"missing"}),
        (30, 12, set()),  # the hidden 18 is recoverable but not small
        (12, 0, set()),
        (15, 15, set()),  # nobody has the item: zero is not a disclosure
        (9, 2, {"citizens", "missing"}),
    ],
)
def test_a_hidden_complement_must_not_be_recoverable_when_small(
    citizens: int, missing: int, expected: set[str]
) -> None:
    counts: dict[Key, int] = {
        ("citizens",): citizens,
        ("missing",): missing,
        ("having",): citizens - missing,
    }
    groups = [Group(("citizens",), (("missing",), ("having",)))]
    hidden = [("having",)]
    result = suppressed(counts, groups, POLICY, hidden)
    assert result == {(key,) for key in expected}
    assert_safe(counts, groups, result, hidden=hidden)
    assert_nothing_recovered(counts, groups, result, hidden=hidden)


def test_a_large_hidden_cell_is_partner_enough() -> None:
    # 40 people: 3 diabetic, 20 screened and not diabetic (hidden), 17 not screened. 40 - 17 = 23
    # is two cells, one of them never published, so the 17 can stay.
    parts: dict[Key, int] = {("diabetic",): 3, ("not diabetic",): 20, ("not screened",): 17}
    counts, groups = hierarchy(("people",), parts)
    hidden = [("not diabetic",)]
    result = suppressed(counts, groups, POLICY, hidden)
    assert result == {("diabetic",)}
    assert_safe(counts, groups, result, hidden=hidden)
    assert_nothing_recovered(counts, groups, result, hidden=hidden)


def test_hidden_complements_inside_a_province() -> None:
    # Per ward only "missing X" is published; its complement is hidden. Wards b and c have small
    # complements (1 and 5), so their "missing" cells go, and partner each other in the province.
    counts: dict[Key, int] = {}
    groups: list[Group] = []
    hidden: list[Key] = []
    for ward, (people, missing) in {"a": (40, 30), "b": (12, 11), "c": (25, 20)}.items():
        counts |= {(ward,): people, (ward, "missing"): missing, (ward, "having"): people - missing}
        groups.append(Group((ward,), ((ward, "missing"), (ward, "having"))))
        hidden.append((ward, "having"))
    counts[("P",)] = sum(counts[(w,)] for w in "abc")
    counts[("P", "missing")] = sum(counts[(w, "missing")] for w in "abc")
    groups.append(Group(("P",), tuple((w,) for w in "abc")))
    groups.append(Group(("P", "missing"), tuple((w, "missing") for w in "abc")))
    result = suppressed(counts, groups, POLICY, hidden)
    assert result == {("b", "missing"), ("c", "missing")}
    assert_safe(counts, groups, result, hidden=hidden)
    assert_nothing_recovered(counts, groups, result, hidden=hidden)


# --- policy --------------------------------------------------------------------------------------


def test_min_count_can_be_raised_to_20() -> None:
    counts, groups = hierarchy(("P",), {("P", "a"): 15, ("P", "b"): 25, ("P", "c"): 30})
    assert suppressed(counts, groups, POLICY) == frozenset()
    strict = Policy(min_count=20)
    result = suppressed(counts, groups, strict)
    assert result == {("P", "a"), ("P", "b")}
    assert_safe(counts, groups, result, strict)


@pytest.mark.parametrize(
    "kwargs",
    [{"min_count": 5}, {"min_count": 9}, {"unstable_below": 9}, {"min_count": 25}],
)
def test_policy_cannot_be_laxer_than_the_city_rule(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        Policy(**kwargs)


def test_policy_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        POLICY.min_count = 3  # type: ignore[misc]


def test_negative_counts_are_rejected() -> None:
    counts, groups = hierarchy(("P",), {("P", "a"): -3, ("P", "b"): 30})
    with pytest.raises(ValueError):
        suppressed(counts, groups, POLICY)


# --- determinism, random hierarchies, size -------------------------------------------------------


def test_same_input_same_output_whatever_the_order_of_groups_parts_and_counts() -> None:
    rng = random.Random(7)
    bands = ["b0", "b1", "b2", "b3"]
    for _ in range(30):
        cells = {f"w{w}": [rng.randint(0, 40) for _ in bands] for w in range(6)}
        counts, groups = table(cells, bands)
        expected = suppressed(counts, groups, POLICY)
        for _ in range(5):
            shuffled = [Group(g.total, tuple(rng.sample(g.parts, len(g.parts)))) for g in groups]
            shuffled = rng.sample(shuffled, len(shuffled)) + shuffled[:3]  # and duplicates
            items = rng.sample(list(counts.items()), len(counts))
            assert suppressed(dict(items), shuffled, POLICY) == expected


def test_random_provinces_of_wards_are_safe_even_against_combined_equations() -> None:
    rng = random.Random(1)
    for _ in range(300):
        counts: dict[Key, int] = {}
        groups: list[Group] = []
        provinces: list[Key] = []
        for p in range(rng.randint(1, 4)):
            wards: dict[Key, int] = {
                (f"p{p}", f"w{w}"): rng.randint(0, 40) for w in range(rng.randint(2, 8))
            }
            province_counts, province_groups = hierarchy((f"p{p}",), wards)
            counts |= province_counts
            groups += province_groups
            provinces.append((f"p{p}",))
        counts[("city",)] = sum(counts[p] for p in provinces)
        groups.append(Group(("city",), tuple(provinces)))
        result = suppressed(counts, groups, POLICY)
        assert_safe(counts, groups, result)
        assert_nothing_recovered(counts, groups, result)


def test_twenty_thousand_cells_and_ten_thousand_groups_complete() -> None:
    rng = random.Random(3)
    counts: dict[Key, int] = {}
    groups: list[Group] = []
    for p in range(100):
        wards = [(f"p{p}", f"w{w}") for w in range(100)]
        for ward in wards:
            counts |= {(*ward, sex): rng.choice([0, 2, 7, 12, 30, 80]) for sex in ("f", "m")}
            counts[ward] = counts[(*ward, "f")] + counts[(*ward, "m")]
            groups.append(Group(ward, ((*ward, "f"), (*ward, "m"))))
        for sex in ("f", "m"):
            counts[(f"p{p}", sex)] = sum(counts[(*ward, sex)] for ward in wards)
            groups.append(Group((f"p{p}", sex), tuple((*ward, sex) for ward in wards)))
        counts[(f"p{p}",)] = sum(counts[ward] for ward in wards)
        groups.append(Group((f"p{p}",), tuple(wards)))
    result = suppressed(counts, groups, POLICY)
    assert_safe(counts, groups, result)


# --- rates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "per", "expected"),
    [
        (37, 1234, 1000, Rate(30.0, False)),  # 29.98... rounds to one decimal
        (20, 30, 1000, Rate(666.7, False)),
        (19, 30, 1000, Rate(633.3, True)),  # under 20: unstable
        (10, 30, 1000, Rate(333.3, True)),
        (25, 120_000, 100_000, Rate(20.8, False)),
        (0, 500, 1000, Rate(0.0, True)),  # zero is shown, and unstable
        (None, 500, 1000, Rate(None, True)),  # suppressed numerator
        (30, None, 1000, Rate(None, True)),  # suppressed denominator
        (0, 0, 1000, Rate(None, True)),
        (4, 5000, 1000, Rate(None, True)),  # 0.8 and 5000 would give the 4 back
        (12, 5, 1000, Rate(None, True)),  # and here the 5
    ],
)
def test_rate(numerator: int | None, denominator: int | None, per: int, expected: Rate) -> None:
    assert rate(numerator, denominator, POLICY, per) == expected


def test_rate_follows_a_stricter_policy() -> None:
    strict = Policy(min_count=20, unstable_below=30)
    assert rate(15, 1000, strict) == Rate(None, True)
    assert rate(25, 1000, strict) == Rate(25.0, True)
    assert rate(30, 1000, strict) == Rate(30.0, False)


def test_rate_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        rate(-1, 100, POLICY)
    with pytest.raises(ValueError):
        rate(10, 100, POLICY, per=0)
