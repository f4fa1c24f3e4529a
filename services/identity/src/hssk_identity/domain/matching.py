"""Probabilistic matching (Fellegi–Sunter): per-field agreement levels become log2(m/u) weights,
summed; a decision needs a high total *and* a clear margin over the runner-up.

Weights are in bits of evidence. A surname agreement is scaled by how rare the surname is
(Nguyễn carries almost none). A household guard (shared phone or address with a different birth
date, sex or given name: siblings, twins, parent and child) never auto-links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from hssk_identity.domain import dates, names

# Agreement level -> weight (bits). Name levels exclude the surname, weighed separately.
NAME_WEIGHTS = {
    names.EXACT: 9.0,
    names.TONE_ONLY: 8.5,
    names.MIDDLE_VARIANT: 6.0,
    names.REORDERED: 6.5,
    names.TYPO: 5.0,
    names.GIVEN_ONLY: -3.0,
    names.DIFFERENT: -9.0,
}
# Both names written with diacritics, yet the given names differ (Hùng/Hưng, Thủy/Thúy, Hạnh/Hằng):
# different names, as twins often get, not a lost accent or a slip; barely any evidence.
GIVEN_CONFLICT = 1.0
# One letter off in the given name often spells another real name (Hanh/Hang, Lan/Lam): alone it
# may reach review, never an automatic link.
GIVEN_TYPO = 3.0
# Both carry middle names and none is shared (Bùi Hoàng Hùng / Bùi Văn Gia Hùng): not a dropped
# middle name but another one, as brothers and twins have.
MIDDLE_DIFFERS = 2.0
_FOLDED_AGREEMENT = (names.TONE_ONLY, names.MIDDLE_VARIANT, names.TYPO)
SURNAME_BITS = 3.0  # what an agreeing surname adds, times its rarity (names.surname_weight)
# A one-digit slip is weaker evidence than a year-only agreement: slips are rare (small m) and
# many dates lie one digit away (larger u); at 4.0 a namesake born 2003 linked one born 2013.
BIRTH_WEIGHTS = {
    dates.EXACT: 7.0,
    dates.YEAR_ONLY_AGREES: 3.5,
    dates.SWAPPED: 4.0,
    dates.ONE_DIGIT: 3.5,
    dates.CLOSE_YEAR: -1.0,
    dates.DIFFERENT: -8.0,
}
SEX_AGREE, SEX_DISAGREE = 0.5, -7.0
# A ward is one of ~126 in Hanoi since the 2025 reform (log2 of that is ~7 bits); 2 bits stays
# conservative, since people move and lists record old wards.
COMMUNE_AGREE, COMMUNE_DISAGREE = 2.0, -0.5
PHONE_AGREE, PHONE_DISAGREE = 3.0, -0.5
# Personal IDs are unique and never reused: two different ones are two people, unless they differ
# in one digit (a typo), which is left to the other fields.
PERSONAL_ID_DISAGREE, PERSONAL_ID_TYPO = -15.0, 0.0
# The BHXH number (last 10 characters of a BHYT card) is issued once per person for life: the
# same rule, so a new card cannot link a twin who already holds another one.

LINK_THRESHOLD = 15.0  # auto-link at or above (and with the margin)
LINK_MARGIN = 6.0  # over the runner-up
REVIEW_THRESHOLD = 8.0  # below: a new person

Decision = Literal["matched", "review", "new"]


@dataclass(frozen=True)
class Demographics:
    """What the matcher compares: parsed name, birth date with precision, and contact data."""

    name: names.Name
    birth: dates.BirthDate | None = None
    sex: str = "unknown"
    phone: str | None = None
    commune_code: str | None = None
    address: str | None = None
    personal_id: str | None = None  # the active 12-digit ID, when known
    insurance_number: str | None = None  # the lifelong 10-digit BHXH number, when known


@dataclass(frozen=True)
class Comparison:
    person_id: str
    weights: dict[str, float]
    household: bool = False
    name_doubt: bool = False  # the given names may be two different names: never auto-link

    @property
    def total(self) -> float:
        return round(sum(self.weights.values()), 2)


@dataclass(frozen=True)
class Outcome:
    decision: Decision
    best: Comparison | None
    ranked: list[Comparison] = field(default_factory=list)
    reason: str = ""


def compare(query: Demographics, person_id: str, candidate: Demographics) -> Comparison:
    w: dict[str, float] = {}
    level = names.compare(query.name, candidate.name)
    both_marked = names.has_marks(query.name) and names.has_marks(candidate.name)
    tone_conflict = both_marked and (
        (
            level in _FOLDED_AGREEMENT
            and query.name.exact.split()[-1] != candidate.name.exact.split()[-1]
        )
        or (
            level == names.REORDERED
            and sorted(query.name.exact.split()) != sorted(candidate.name.exact.split())
        )
    )
    if tone_conflict:
        w["name:given_conflict"] = GIVEN_CONFLICT
    elif level == names.TYPO and query.name.given != candidate.name.given:
        w["name:given_typo"] = GIVEN_TYPO
    elif level == names.MIDDLE_VARIANT and _middles_disjoint(query.name, candidate.name):
        w["name:middle_differs"] = MIDDLE_DIFFERS
    else:
        w[f"name:{level}"] = NAME_WEIGHTS[level]
    if (
        level != names.DIFFERENT
        and query.name.family
        and query.name.family == candidate.name.family
    ):
        w["surname"] = round(SURNAME_BITS * names.surname_weight(query.name.family), 2)
    birth_level = None
    if query.birth and candidate.birth:
        birth_level = dates.compare(query.birth, candidate.birth)
        w[f"birth:{birth_level}"] = BIRTH_WEIGHTS[birth_level]
    sex_differs = "unknown" not in (query.sex, candidate.sex) and query.sex != candidate.sex
    if "unknown" not in (query.sex, candidate.sex):
        w["sex:" + ("disagree" if sex_differs else "agree")] = (
            SEX_DISAGREE if sex_differs else SEX_AGREE
        )
    if query.commune_code and candidate.commune_code:
        same = query.commune_code == candidate.commune_code
        w["commune:" + ("agree" if same else "disagree")] = (
            COMMUNE_AGREE if same else COMMUNE_DISAGREE
        )
    shared_phone = bool(query.phone) and query.phone == candidate.phone
    if query.phone and candidate.phone:
        w["phone:" + ("agree" if shared_phone else "disagree")] = (
            PHONE_AGREE if shared_phone else PHONE_DISAGREE
        )
    for kind in ("personal_id", "insurance_number"):
        mine, theirs = getattr(query, kind), getattr(candidate, kind)
        if mine and theirs and mine != theirs:
            typo = sum(a != b for a, b in zip(mine, theirs, strict=False)) == 1
            w[f"{kind}:" + ("typo" if typo else "disagree")] = (
                PERSONAL_ID_TYPO if typo else PERSONAL_ID_DISAGREE
            )
    shared_address = bool(query.address) and _same_address(query.address, candidate.address)
    household = (shared_phone or shared_address) and (
        sex_differs
        or birth_level in (dates.DIFFERENT, dates.CLOSE_YEAR)
        or tone_conflict
        or level in (names.DIFFERENT, names.GIVEN_ONLY)
        or _cannot_tell_given(query.name, candidate.name)
        or (level == names.MIDDLE_VARIANT and _both_unmarked_ambiguous(query.name, candidate.name))
    )
    # Born the same day, an unaccented given name that could be two names cannot confirm a
    # marked one (twins Hương and Hường), shared phone or not.
    name_doubt = (
        "name:given_conflict" in w
        or "name:given_typo" in w
        or (birth_level == dates.EXACT and _cannot_tell_given(query.name, candidate.name))
    )
    return Comparison(person_id=person_id, weights=w, household=household, name_doubt=name_doubt)


def decide(comparisons: list[Comparison]) -> Outcome:
    ranked = sorted(comparisons, key=lambda c: c.total, reverse=True)
    if not ranked or ranked[0].total < REVIEW_THRESHOLD:
        return Outcome("new", ranked[0] if ranked else None, ranked, "no candidate scores enough")
    best = ranked[0]
    runner_up = ranked[1].total if len(ranked) > 1 else None
    if best.household:
        return Outcome(
            "review",
            best,
            ranked,
            "household guard: shares phone or address but differs in birth date, sex or given name",
        )
    if best.name_doubt:
        return Outcome("review", best, ranked, "the given names may be two different names")
    if best.total < LINK_THRESHOLD:
        return Outcome("review", best, ranked, f"score {best.total} is in the review band")
    if runner_up is not None and best.total - runner_up < LINK_MARGIN:
        return Outcome(
            "review",
            best,
            ranked,
            f"margin {best.total - runner_up:.1f} over the runner-up is below {LINK_MARGIN}",
        )
    return Outcome("matched", best, ranked, f"score {best.total}")


def identifier_conflict(query: Demographics, holder: Demographics) -> bool:
    """An identifier matched, but nothing else does: likely a mistyped number, so review."""
    if not births_differ(query.birth, holder.birth):
        return False
    return names.compare(query.name, holder.name) in (names.DIFFERENT, names.GIVEN_ONLY)


def births_differ(a: dates.BirthDate | None, b: dates.BirthDate | None) -> bool:
    return bool(a and b and dates.compare(a, b) == dates.DIFFERENT)


def blocking_keys(d: Demographics) -> list[str]:
    """Keys under which candidates are found; stored as documents keyed by the key itself."""
    n, keys = d.name, []
    year = d.birth.year if d.birth else None
    full = (
        f"{d.birth.year:04d}{d.birth.month:02d}{d.birth.day:02d}"
        if d.birth and d.birth.month and d.birth.day and not d.birth.estimated
        else None
    )
    if d.birth and d.birth.month and d.birth.day and not d.birth.estimated:
        keys.append(f"md:{n.family}:{n.given}:{d.birth.month:02d}{d.birth.day:02d}")  # year typo
    if year:
        keys.append(f"fg:{n.family}:{n.given}:{year}")
        keys.append(f"w:{'-'.join(sorted(n.folded.split()))}:{year}")
    if full:
        keys.append(f"gd:{n.given}:{full}")
        if d.commune_code:
            keys.append(f"dc:{full}:{d.commune_code}")
    if d.phone:
        keys.append(f"p:{d.phone}")
    if not year:
        keys.append(f"fg:{n.family}:{n.given}:-")
    return keys


def _middles_disjoint(a: names.Name, b: names.Name) -> bool:
    return bool(a.middle) and bool(b.middle) and not set(a.middle) & set(b.middle)


def _cannot_tell_given(a: names.Name, b: names.Name) -> bool:
    """One side lost its diacritics and its given name could spell more than one common name:
    inside a household (twins Hùng and Hưng) the records cannot be told apart by name."""
    if names.has_marks(a) == names.has_marks(b):
        return False
    return a.given == b.given and names.ambiguous_without_marks(a.given)


def _both_unmarked_ambiguous(a: names.Name, b: names.Name) -> bool:
    """Neither name has diacritics and the given name could be more than one name: with a middle
    name missing on one side, nothing in the names tells twins Thủy and Thúy apart."""
    return (
        not names.has_marks(a) and not names.has_marks(b) and names.ambiguous_without_marks(a.given)
    )


def _same_address(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return names.parse(a).folded == names.parse(b).folded
