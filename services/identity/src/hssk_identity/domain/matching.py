"""Probabilistic matching (Fellegi–Sunter): per-field agreement levels become log2(m/u) weights,
summed; a decision needs a high total *and* a clear margin over the runner-up.

`levels` says how a pair compares, field by field; the model (domain/model.py: learned, with
its provenance) turns each level into bits of evidence. A surname agreement is scaled by how rare
the surname is (Nguyễn carries almost none). A household guard (shared phone or address with a
different birth date, sex or given name: siblings, twins, parent and child) never auto-links.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

from hssk_identity.domain import dates, names
from hssk_identity.domain.model import Model, packaged

CURRENT = packaged()
_FOLDED_AGREEMENT = (names.TONE_ONLY, names.MIDDLE_VARIANT, names.TYPO)

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
    model_version: str = ""  # the match model that decided


@dataclass(frozen=True)
class Levels:
    """How a pair compares: one level per field both sides carry ("birth:exact"), and the
    guards that no weight may override."""

    fields: dict[str, str]
    surname_rarity: float = 0.0  # names.surname_weight of an agreeing surname
    household: bool = False
    name_doubt: bool = False  # the given names may be two different names: never auto-link


def compare(
    query: Demographics, person_id: str, candidate: Demographics, model: Model = CURRENT
) -> Comparison:
    found = levels(query, candidate)
    w = {}
    for f, level in found.fields.items():
        key = f"{f}:{level}"
        if f == "surname":
            if level == "agree":
                w[f] = round(model.bits(key) * found.surname_rarity, 2)
        else:
            w[key] = model.bits(key)
    return Comparison(person_id, w, household=found.household, name_doubt=found.name_doubt)


def levels(query: Demographics, candidate: Demographics) -> Levels:
    f: dict[str, str] = {}
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
        # Both written with diacritics, yet the given names differ (Hùng/Hưng, Thủy/Thúy,
        # Hạnh/Hằng): different names, as twins often get, not a lost accent or a slip.
        f["name"] = "given_conflict"
    elif (
        level == names.TYPO
        and query.name.given != candidate.name.given
        and names.is_syllable(query.name.given)
        and names.is_syllable(candidate.name.given)
    ):
        # One letter off in the given name often spells another real name (Hanh/Hang, Lan/Lam);
        # one that is no syllable at all (Sơh) is a slip of the other.
        f["name"] = "given_typo"
    elif level == names.MIDDLE_VARIANT and _middles_disjoint(query.name, candidate.name):
        # Both carry middle names and none is shared (Bùi Hoàng Hùng / Bùi Văn Gia Hùng): not
        # a dropped middle name but another one, as brothers and twins have.
        f["name"] = "middle_differs"
    else:
        f["name"] = level
    rarity = 0.0
    if query.name.family and candidate.name.family:
        agree = level != names.DIFFERENT and query.name.family == candidate.name.family
        f["surname"] = "agree" if agree else "other"
        rarity = names.surname_weight(query.name.family) if agree else 0.0
    birth_level = None
    if query.birth and candidate.birth:
        birth_level = dates.compare(query.birth, candidate.birth)
        f["birth"] = birth_level
    sex_differs = "unknown" not in (query.sex, candidate.sex) and query.sex != candidate.sex
    if "unknown" not in (query.sex, candidate.sex):
        f["sex"] = "disagree" if sex_differs else "agree"
    if query.commune_code and candidate.commune_code:
        f["commune"] = "agree" if query.commune_code == candidate.commune_code else "disagree"
    shared_phone = bool(query.phone) and query.phone == candidate.phone
    if query.phone and candidate.phone:
        f["phone"] = "agree" if shared_phone else "disagree"
    shared_address = bool(query.address) and _same_address(query.address, candidate.address)
    if query.address and candidate.address:
        f["address"] = _address_level(query.address, candidate.address, shared_address)
    for kind in ("personal_id", "insurance_number"):
        mine, theirs = getattr(query, kind), getattr(candidate, kind)
        if mine and theirs and mine != theirs:
            typo = sum(a != b for a, b in zip(mine, theirs, strict=False)) == 1
            f[kind] = "typo" if typo else "disagree"
    household = (shared_phone or shared_address) and (
        sex_differs
        or birth_level in (dates.DIFFERENT, dates.CLOSE_YEAR)
        or tone_conflict
        or level in (names.DIFFERENT, names.GIVEN_ONLY, names.SIMILAR)
        or _cannot_tell_given(query.name, candidate.name)
        or (level == names.MIDDLE_VARIANT and _both_unmarked_ambiguous(query.name, candidate.name))
        # Neither name marked, the given name could be two, and only the year to go by:
        # brothers Tuấn and Tuân born the same year.
        or (
            birth_level != dates.EXACT
            and _both_unmarked_ambiguous(query.name, candidate.name)
            and query.name.given == candidate.name.given
        )
    )
    # Born the same day, an unaccented given name that could be two names cannot confirm a
    # marked one (twins Hương and Hường), shared phone or not; nor can it when the twin is not
    # registered yet, so this holds even with no twin in sight (without it, twins merged).
    name_doubt = f["name"] in ("given_conflict", "given_typo") or (
        birth_level == dates.EXACT and _cannot_tell_given(query.name, candidate.name)
    )
    return Levels(f, rarity, household=household, name_doubt=name_doubt)


def decide(comparisons: list[Comparison], model: Model = CURRENT) -> Outcome:
    return replace(_decide(comparisons, model), model_version=model.version)


def _decide(comparisons: list[Comparison], model: Model) -> Outcome:
    ranked = sorted(comparisons, key=lambda c: c.total, reverse=True)
    if not ranked or ranked[0].total < model.review_threshold:
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
    if best.total < model.link_threshold:
        return Outcome("review", best, ranked, f"score {best.total} is in the review band")
    if runner_up is not None and best.total - runner_up < model.link_margin:
        return Outcome(
            "review",
            best,
            ranked,
            f"margin {best.total - runner_up:.1f} over the runner-up is below {model.link_margin}",
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
        keys.append(f"gd:{n.given}:{full}")  # the surname mistyped
        keys.append(f"fd:{n.family}:{full}")  # the given name mistyped
        # both names mistyped or their order swapped, the initials kept: a few dozen a day
        initials = "".join(sorted(word[:1] for word in (n.family, n.given) if word))
        keys.append(f"di:{full}:{initials}")
        if d.commune_code:
            keys.append(f"dc:{full}:{d.commune_code}")
    if d.commune_code and n.given:  # the birth date mistyped or missing: the name in the ward
        keys.append(f"nc:{n.family}:{n.given}:{d.commune_code}")
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


def _address_level(a: str, b: str, same: bool) -> str:
    """agree (the same once folded), similar (half the words shared: a slip, a neighbour, a
    lane left out) or disagree."""
    if same:
        return "agree"
    words_a, words_b = _address_words(a), _address_words(b)
    shared = len(words_a & words_b) / len(words_a | words_b) if words_a | words_b else 0.0
    return "similar" if shared >= 0.5 else "disagree"


@lru_cache(maxsize=65536)
def _address_words(address: str) -> frozenset[str]:
    return frozenset(names.fold(address).split())


def _same_address(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return names.parse(a).folded == names.parse(b).folded
