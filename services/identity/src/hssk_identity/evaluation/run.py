"""Feed labelled records through `handlers.resolve` (create=True) with the in-memory fakes and a
publish that drops events, and say where each record landed."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime

from hssk_contracts import identifiers as ids
from hssk_contracts.envelope import Envelope
from hssk_contracts.topics import Topic
from hssk_contracts.visit import Identifier
from hssk_identity.adapters.memory import in_memory_index
from hssk_identity.domain import matching
from hssk_identity.domain.model import Model
from hssk_identity.evaluation.records import Record
from hssk_identity.evaluation.scoring import Outcome
from hssk_identity.handlers import Index, Query, resolve

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


async def _discard(topic: Topic, event: Envelope) -> None:
    return None


def shuffled(records: Sequence[Record], seed: int) -> list[Record]:
    """Arrival order: sources interleave, so a person's first record may be any of them."""
    order = list(records)
    random.Random(f"{seed}/order").shuffle(order)
    return order


async def resolve_all(
    records: Sequence[Record], index: Index | None = None, model: Model = matching.CURRENT
) -> list[Outcome]:
    """Resolve records in the given order; a person registered by a record (created, or
    provisional under review) takes that record's label."""
    index = index or in_memory_index()
    label_of: dict[str, str] = {}  # person_id -> label of the record that registered it
    household_of = {r.label: r.household for r in records}
    first_tags: dict[str, tuple[str, ...]] = {}
    keys_seen: dict[str, set[str]] = {}
    outcomes = []
    open_reviews = 0
    for r in records:
        found = await resolve(
            query(r),
            create=True,
            cause=f"eval:{r.record_id}",
            source=f"eval:{r.source}",
            now=NOW,
            index=index,
            publish=_discard,
            model=model,
        )
        if found.decision != "matched" and found.person_id:
            label_of.setdefault(found.person_id, r.label)
        linked = label_of.get(found.person_id or "")
        review = await index.reviews.get(found.review_id) if found.review_id else None
        opened = len(await index.reviews.list_open(None)) - open_reviews
        open_reviews += opened
        keys = set(ids.match_keys(list(r.identifiers)))
        outcomes.append(
            Outcome(
                label=r.label,
                household=r.household,
                decision=found.decision,
                linked_label=linked,
                linked_household=household_of.get(linked or ""),
                candidate_labels=tuple(label_of.get(c.person_id, "?") for c in found.candidates),
                matched_on=found.matched_on,
                tags=r.perturbations,
                first_tags=first_tags.get(r.label, ()),
                shares_identifier=bool(keys & keys_seen.get(r.label, set())),
                reason=review.reason if review else "",
                other_reviews=max(0, opened - (found.decision == "review")),
            )
        )
        first_tags.setdefault(r.label, r.perturbations)
        keys_seen.setdefault(r.label, set()).update(keys)
    return outcomes


def query(r: Record) -> Query:
    return Query(
        name=r.name,
        identifiers=tuple(
            Identifier(type=t, value=v)  # type: ignore[arg-type]
            for t, v in r.identifiers
        ),
        birth_date=r.birth_date,
        sex=r.sex,
        phone=r.phone,
        commune_code=r.commune_code,
        address=r.address,
    )
