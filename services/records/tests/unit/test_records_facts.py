"""domain/facts: a slot keeps the latest fact of each kind; `trusted()` prefers a clinician's
value, then a facility's, then the citizen's, whatever their dates; `latest()` is the most
recent observation of any kind; a corrected resend wins a tie; and joining slots gives the same
slot whatever order the facts arrive in."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from hssk_records.domain.facts import Fact, Kind, Slot, Source, join_slots

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
BY: dict[Kind, str] = {
    "self_declared": "citizen",
    "facility_reported": "01001",
    "clinician_confirmed": "bs-0042",
}


def fact(value: Any, kind: Kind = "facility_reported", *, days_ago: float = 0, **src: Any) -> Fact:
    at = NOW - timedelta(days=days_ago)
    return Fact(value=value, source=Source(kind=kind, by=BY[kind], at=at, **src))


def slot_of(*facts: Fact) -> Slot:
    slot = Slot()
    for f in facts:
        slot = slot.put(f)
    return slot


def test_an_empty_slot_has_nothing_to_trust_and_nothing_latest():
    assert Slot().trusted() is None
    assert Slot().latest() is None
    assert Slot().beside(None) == []


def test_a_later_fact_replaces_an_earlier_one_of_its_kind_and_an_older_one_does_not():
    old, new = fact("A+", days_ago=10), fact("O+", days_ago=1)

    assert slot_of(old, new).facts == {"facility_reported": new}
    assert slot_of(new, old).facts == {"facility_reported": new}  # a late, older visit loses


def test_a_self_declaration_never_overwrites_a_clinicians_value_both_are_kept():
    confirmed = fact("B+", "clinician_confirmed", days_ago=30)
    declared = fact("AB-", "self_declared", days_ago=0)  # newer, but only the citizen's word
    slot = slot_of(confirmed, declared)

    assert slot.facts == {"clinician_confirmed": confirmed, "self_declared": declared}
    assert slot.trusted() == confirmed
    assert slot.beside(confirmed) == [declared]


def test_trusted_prefers_clinician_then_facility_then_citizen_whatever_the_dates():
    declared = fact("x", "self_declared", days_ago=0)
    reported = fact("y", "facility_reported", days_ago=5)
    confirmed = fact("z", "clinician_confirmed", days_ago=50)

    assert slot_of(declared).trusted() == declared
    assert slot_of(declared, reported).trusted() == reported
    assert slot_of(declared, reported, confirmed).trusted() == confirmed
    assert slot_of(confirmed, declared).trusted() == confirmed


def test_latest_is_the_most_recent_observation_of_any_kind():
    reported = fact(170, "facility_reported", days_ago=20)
    declared = fact(168, "self_declared", days_ago=2)
    confirmed = fact(171, "clinician_confirmed", days_ago=40)
    slot = slot_of(reported, declared, confirmed)

    assert slot.latest() == declared
    assert slot.trusted() == confirmed  # the two questions have different answers
    assert slot_of(reported, confirmed).latest() == reported


def test_at_the_same_instant_a_corrected_resend_wins_in_either_order():
    first = fact(60.0, visit_key="01001:LK1", sent=NOW + timedelta(hours=1))
    corrected = fact(65.0, visit_key="01001:LK1", sent=NOW + timedelta(hours=5))

    assert slot_of(first, corrected).trusted() == corrected
    assert slot_of(corrected, first).trusted() == corrected


def test_an_exact_tie_is_broken_by_value_so_any_order_gives_the_same_slot():
    a, b = fact({"systolic": 120, "diastolic": 80}), fact({"systolic": 130, "diastolic": 85})

    assert slot_of(a, b) == slot_of(b, a)
    assert slot_of(a, b).trusted() in (a, b)
    assert slot_of(a, a).facts == {"facility_reported": a}


def test_join_is_order_independent_commutative_and_idempotent():
    facts = [
        fact("A+", "facility_reported", days_ago=9),
        fact("A-", "facility_reported", days_ago=3),
        fact("O+", "self_declared", days_ago=4),
        fact("O-", "self_declared", days_ago=1),
        fact("B+", "clinician_confirmed", days_ago=7),
    ]
    whole = slot_of(*facts)
    assert all(slot_of(*order) == whole for order in itertools.permutations(facts))
    assert {k: f.value for k, f in whole.facts.items()} == {
        "facility_reported": "A-",
        "self_declared": "O-",
        "clinician_confirmed": "B+",
    }

    left, right = slot_of(*facts[:2], facts[4]), slot_of(*facts[2:4])
    assert left.join(right) == right.join(left) == whole
    assert whole.join(whole) == whole
    assert whole.join(Slot()) == Slot().join(whole) == whole


def test_join_slots_joins_field_by_field_and_keeps_fields_only_one_side_has():
    a = {"phone": slot_of(fact("0900000001", days_ago=5)), "name": slot_of(fact("An"))}
    b = {"phone": slot_of(fact("0900000002", days_ago=1)), "sex": slot_of(fact("male"))}

    joined = join_slots(a, b)
    assert joined == join_slots(b, a)
    assert sorted(joined) == ["name", "phone", "sex"]
    assert joined["phone"].trusted().value == "0900000002"
    assert joined["name"] == a["name"]


def test_beside_lists_only_the_other_kinds_whose_value_differs():
    confirmed = fact("O+", "clinician_confirmed")
    same = fact("O+", "self_declared")
    other = fact("A+", "facility_reported")

    assert slot_of(confirmed, same).beside(confirmed) == []
    assert slot_of(confirmed, same, other).beside(confirmed) == [other]


def test_a_stored_slot_with_fields_from_another_version_still_reads():
    stored = {
        "facts": {
            "self_declared": {
                "value": 166,
                "source": {"kind": "self_declared", "by": "citizen", "at": NOW.isoformat()},
                "written_by": "records v9",
            }
        },
        "unknown": True,
    }
    slot = Slot.model_validate(stored)

    assert slot.latest() == fact(166, "self_declared")
