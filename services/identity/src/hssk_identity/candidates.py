"""Probabilistic candidates: found through blocking keys, scored, one per open question."""

from __future__ import annotations

from hssk_contracts.envelope import derive_event_id
from hssk_identity.domain import matching
from hssk_identity.domain.model import Model
from hssk_identity.ports import Index

MAX_BLOCK = 200
MAX_CANDIDATES = 100


async def score(
    d: matching.Demographics, cause: str, index: Index, model: Model = matching.CURRENT
) -> matching.Outcome:
    member_ids = await index.blocks.members(matching.blocking_keys(d), MAX_BLOCK)
    seen_as = fingerprint(d)
    comparisons = []
    pending: dict[str, tuple[str, ...]] = {}
    for pid in sorted(member_ids)[:MAX_CANDIDATES]:
        person = await index.persons.get(pid)
        if person is None or person.merged_into or person.created_by == cause:
            continue
        if await index.reviews.is_not_match(seen_as, pid):
            continue
        comparisons.append(matching.compare(d, pid, person.demographics(), model))
        pending[pid] = person.pending_review_of
    return matching.decide(one_per_open_question(comparisons, pending), model)


def one_per_open_question(
    comparisons: list[matching.Comparison], pending: dict[str, tuple[str, ...]]
) -> list[matching.Comparison]:
    """A provisional person and those it awaits review against are one open question: keep the
    best scoring of them, so the margin rule compares real rivals only."""
    kept: list[matching.Comparison] = []
    for c in sorted(comparisons, key=lambda c: c.total, reverse=True):
        tied = any(
            c.person_id in pending.get(k.person_id, ())
            or k.person_id in pending.get(c.person_id, ())
            for k in kept
        )
        if not tied:
            kept.append(c)
    return kept


def fingerprint(d: matching.Demographics) -> str:
    birth = f"{d.birth.year}-{d.birth.month}-{d.birth.day}" if d.birth else "-"
    return derive_event_id(
        "fingerprint", d.name.folded, birth, d.sex, d.phone or "", d.commune_code or ""
    )
