"""The match-quality evaluation: a deterministic synthetic population, labelled records, and
metrics checked on a hand-made example independently of the matcher."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from hssk_contracts import identifiers as ids
from hssk_identity.domain import names
from hssk_identity.evaluation import name_tables, run, scoring, text
from hssk_identity.evaluation.__main__ import main
from hssk_identity.evaluation.__main__ import main as evaluation_main
from hssk_identity.evaluation.population import Population, population
from hssk_identity.evaluation.records import labelled_records
from hssk_identity.evaluation.scoring import Outcome

SEED = 11


@pytest.fixture(scope="module")
def people() -> Population:
    return population(200, SEED)


def test_the_same_seed_gives_the_same_population_and_records(people):
    again = population(200, SEED)

    assert again == people
    assert labelled_records(again, SEED) == labelled_records(people, SEED)
    assert population(200, SEED + 1) != people


def test_population_has_exactly_n_distinct_people_in_households(people):
    labels = [c.label for c in people.citizens]
    members = [m for h in people.households for m in h.members]

    assert len(labels) == len(set(labels)) == 200
    assert sorted(members) == sorted(labels)


def test_identifiers_agree_with_birth_year_and_sex_and_are_unique(people):
    for c in people.citizens:
        assert ids.cccd_format(c.cccd) is None
        assert ids.cccd_consistency(c.cccd, c.birth.year, c.sex) == []
        if c.bhyt:
            assert ids.bhyt_format(c.bhyt) is None
            assert ids.bhyt_level_consistency(c.bhyt, date(2026, 6, 30)) is None
    numbers = [c.cccd for c in people.citizens] + [c.cmnd for c in people.citizens if c.cmnd]
    assert len(numbers) == len(set(numbers))
    assert 0.75 < sum(bool(c.bhyt) for c in people.citizens) / 200 < 0.95


def test_twins_share_birth_date_family_address_and_household_phone():
    people = population(1000, SEED)
    by_label, homes = people.by_label(), {h.household_id: h for h in people.households}
    twins = [(c, by_label[c.twin_of]) for c in people.citizens if c.twin_of]

    assert twins
    for a, b in twins:
        assert (a.birth, a.family, a.household, a.address) == (
            b.birth,
            b.family,
            b.household,
            b.address,
        )
        assert a.given != b.given
        assert a.twin_of == b.label and b.twin_of == a.label
    assert any(a.sex != b.sex for a, b in twins)
    paired = [(a, b) for a, b in twins if names.fold(a.given) == names.fold(b.given)]
    assert paired, "some twins' names differ only in a tone or vowel mark (Thủy, Thúy)"
    young = [c for c in people.citizens if c.relation == "child" and c.birth.year > 2012]
    assert young and all(c.phone == homes[c.household].phone for c in young)


def test_siblings_have_different_birth_dates_and_given_names(people):
    by_home: dict[str, list] = {}
    for c in people.citizens:
        if c.relation == "child" and not c.twin_of:
            by_home.setdefault(c.household, []).append(c)
    siblings = [kids for kids in by_home.values() if len(kids) > 1]

    assert siblings
    for kids in siblings:
        assert len({k.birth for k in kids}) == len(kids)
        assert len({k.given for k in kids}) == len(kids)
        assert len({k.address for k in kids}) == 1


def test_surnames_follow_vietnamese_frequencies():
    shares = Counter(c.family for c in population(3000, SEED).citizens)

    assert 0.33 < shares["Nguyễn"] / 3000 < 0.43
    assert shares["Nguyễn"] > shares["Trần"] > shares["Phạm"]
    assert len(shares) > 20


def test_every_record_carries_its_citizens_label(people):
    records = labelled_records(people, SEED)
    by_label = people.by_label()
    per_citizen = Counter(r.label for r in records)

    assert set(per_citizen) == set(by_label)
    assert set(per_citizen.values()) <= {1, 2, 3, 4}
    for r in records:
        assert r.household == by_label[r.label].household
        if "no_diacritics" in r.perturbations:
            assert r.name.isascii()
        if "year_only" in r.perturbations:
            assert r.birth_date == str(by_label[r.label].birth.year)
        if "id:none" in r.perturbations:
            assert r.identifiers == ()


def test_a_large_share_of_records_carries_no_personal_id_or_bhyt_card(people):
    records = labelled_records(people, SEED)
    without = [r for r in records if not {k for k, _ in r.identifiers} & {"cccd", "bhyt"}]

    assert len(without) / len(records) > 0.35


@pytest.mark.parametrize("encode", [text.tcvn3_mojibake, text.vni_mojibake])
def test_mojibake_is_what_names_repair_reads_back(encode):
    words = [*name_tables.SURNAMES, *name_tables.GIVEN_MALE, *name_tables.GIVEN_FEMALE]
    for word in words:
        name = f"Nguyễn Thị Đức {word}"
        garbled = encode(name)
        assert garbled is not None and garbled != name
        assert names.repair_mojibake(garbled) == name


def test_tone_placement_flips_only_open_oa_oe_uy_syllables():
    assert text.flip_tone_placement("Hòa") == "Hoà"
    assert text.flip_tone_placement("Thuỷ") == "Thủy"
    assert [text.flip_tone_placement(w) for w in ("Quý", "Hoàng", "Huy")] == ["Quý", "Hoàng", "Huy"]


def outcome(label: str, household: str, decision: str, linked: str, **kw) -> Outcome:
    homes = {"A": "H0", "B": "H1", "C": "H1", "D": "H2"}
    return Outcome(
        label=label,
        household=household,
        decision=decision,
        linked_label=linked,
        linked_household=homes[linked],
        **kw,
    )


HAND_MADE = [
    outcome("A", "H0", "created", "A", tags=("no_diacritics",)),
    outcome("B", "H1", "created", "B"),
    outcome(
        "A",
        "H0",
        "matched",
        "A",
        matched_on="cccd",  # duplicate, found
        first_tags=("no_diacritics",),
    ),
    outcome("C", "H1", "created", "C"),
    outcome("C", "H1", "matched", "B", matched_on="probabilistic"),  # sibling merged: wrong
    outcome(
        "A",
        "H0",
        "review",
        "A",
        candidate_labels=("B", "A"),  # found via review
        first_tags=("no_diacritics",),
    ),
    outcome("B", "H1", "created", "B", candidate_labels=("A",)),  # missed
    outcome("D", "H2", "matched", "A", matched_on="probabilistic"),  # first of D: wrong link
]


def test_metrics_on_a_hand_made_example():
    s = scoring.score(HAND_MADE)

    assert (s.records, s.people, s.duplicates) == (8, 4, 4)
    assert (s.matched, s.correct_matches, s.found, s.reviews) == (3, 1, 2, 1)
    assert s.precision == pytest.approx(1 / 3)
    assert s.recall == 0.5
    assert s.review_rate == 0.125
    assert s.household_false_merges == 1
    assert s.decisions == {"created": 4, "matched:cccd": 1, "matched:probabilistic": 2, "review": 1}
    assert [f.split("=")[0] for f in s.failed_targets()] == [
        "precision",
        "recall",
        "review_rate",
        "household_false_merges",
    ]


def test_misses_are_told_apart_by_what_happened():
    assert scoring.misses(HAND_MADE) == {
        "linked to the wrong person": 1,
        "new person; right one not in top candidates": 1,
    }
    assert scoring.recall_by_route(HAND_MADE) == {
        "identifier": (0, 0),
        "probabilistic only": (2, 4),
    }


def test_metrics_pass_the_targets_when_everything_is_right():
    s = scoring.score([outcome("A", "H0", "created", "A"), outcome("A", "H0", "matched", "A")])

    assert (s.precision, s.recall, s.review_rate, s.failed_targets()) == (1.0, 1.0, 0.0, [])


def test_reviews_opened_beside_a_decision_count_in_the_review_rate():
    """A match that finds the citizen's card held by another person opens a split review too:
    a ward officer's work like any other review."""
    s = scoring.score(
        [outcome("A", "H0", "created", "A"), outcome("A", "H0", "matched", "A", other_reviews=1)]
    )

    assert (s.reviews, s.review_rate) == (1, 0.5)


def test_perturbation_breakdown_counts_the_first_records_perturbations_too():
    rows = scoring.by_perturbation(HAND_MADE)

    assert rows["no_diacritics"] == {"wrong_links": 0, "duplicates": 2, "missed": 0, "reviewed": 1}
    assert rows["(all)"]["missed"] == 2 and rows["(all)"]["wrong_links"] == 2


async def test_resolving_a_small_population_is_deterministic(people):
    records = run.shuffled(labelled_records(people, SEED), SEED)

    first = scoring.score(await run.resolve_all(records))
    second = scoring.score(await run.resolve_all(records))

    assert first == second
    assert (first.people, first.records) == (200, len(records))
    assert first.duplicates == len(records) - 200


def test_the_command_prints_an_eval_line_and_writes_json(tmp_path, capsys):
    out = tmp_path / "eval.json"

    code = main(["--people", "200", "--seed", str(SEED), "--out", str(out)])

    printed = capsys.readouterr().out
    line = next(x for x in printed.splitlines() if x.startswith("EVAL "))
    fields = dict(kv.split("=") for kv in line.split()[1:])
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert fields["people"] == "200" and int(fields["records"]) == doc["records"]
    assert float(fields["recall"]) == pytest.approx(doc["recall"], abs=1e-4)
    assert code == (1 if doc["failed_targets"] else 0)


def test_more_seeds_each_get_a_line_and_any_miss_fails_the_run(tmp_path, capsys):
    args = ["--people", "200", "--seed", "3", "--out", str(tmp_path / "eval.json")]
    code = evaluation_main([*args, "--also-seeds", "4,5"])
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "EVAL " in line]
    assert [line.split(":")[0] for line in lines[1:]] == ["seed 4", "seed 5"]
    assert code == (1 if "target missed" in out or "; missed" in out else 0)
