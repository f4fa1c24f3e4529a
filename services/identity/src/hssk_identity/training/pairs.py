"""The pairs a model is trained on, from a list of incoming records (never from labels): random
pairs for u, and for m the pairs of each training rule: records born the same day (to learn how
names, sex, places and phones compare) and records with the same name (to learn how birth dates
compare). A field a rule selects on tells nothing under that rule, so each field is learned from
the rule that does not select on it, as Splink trains."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from itertools import combinations

from hssk_identity.candidates import MAX_BLOCK
from hssk_identity.domain import matching
from hssk_identity.training.em import Pattern, pattern

RULES: dict[str, tuple[str, ...]] = {  # rule -> the fields it selects on (not learned there)
    "same_birth_date": ("birth",),
    "same_name": ("name", "surname"),
}


def rule_pairs(rule: str, records: Sequence[matching.Demographics]) -> Iterator[tuple[int, int]]:
    """Each pair of records the rule selects, once; blocks larger than the resolver reads are
    skipped, as it would skip them."""
    blocks: dict[str, list[int]] = {}
    for i, d in enumerate(records):
        key = _key(rule, d)
        if key:
            blocks.setdefault(key, []).append(i)
    for members in blocks.values():
        if len(members) <= MAX_BLOCK:
            yield from combinations(members, 2)


def _key(rule: str, d: matching.Demographics) -> str | None:
    if rule == "same_name":
        return d.name.folded or None
    b = d.birth
    if b is None or not b.month or not b.day or b.estimated:
        return None
    return f"{b.year:04d}{b.month:02d}{b.day:02d}"


def random_pairs(count: int, size: int, seed: str) -> Iterator[tuple[int, int]]:
    rng = random.Random(seed)
    for _ in range(count):
        a, b = rng.randrange(size), rng.randrange(size)
        if a != b:
            yield a, b


def patterns(
    records: Sequence[matching.Demographics],
    pairs: Iterator[tuple[int, int]],
    without: tuple[str, ...] = (),
) -> Iterator[Pattern]:
    for a, b in pairs:
        yield pattern(matching.levels(records[a], records[b]).fields, without)
