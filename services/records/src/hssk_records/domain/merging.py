"""Moving a citizen's history when identity merges two persons, and back when it unmerges.

The merged record becomes a tombstone that remembers which visits it gave away, so an unmerge
returns exactly those. Both rules are idempotent: applying one twice changes nothing more.
"""

from __future__ import annotations

from hssk_records.domain.record import Record


def merge(
    survivor: Record | None, merged: Record | None, survivor_id: str
) -> tuple[Record | None, Record | None]:
    """(new survivor, new tombstone); None where nothing changes."""
    if merged is None or merged.merged_into == survivor_id:
        return None, None
    base = survivor or Record(person_id=survivor_id, demographics=merged.demographics)
    moving = {k: e for k, e in merged.visits.items() if k not in base.visits}
    new_survivor = (
        base.model_copy(update={"version": base.version + 1, "visits": {**base.visits, **moving}})
        if moving
        else None
    )
    tombstone = merged.model_copy(
        update={
            "version": merged.version + 1,
            "visits": {},
            "merged_into": survivor_id,
            "moved_out": sorted(set(merged.moved_out) | set(merged.visits)),
        }
    )
    return new_survivor, tombstone


def unmerge(
    survivor: Record | None, tombstone: Record | None
) -> tuple[Record | None, Record | None]:
    """(new survivor, restored record); None where nothing changes."""
    if tombstone is None or tombstone.merged_into is None:
        return None, None
    back = {
        k: e for k, e in (survivor.visits if survivor else {}).items() if k in tombstone.moved_out
    }
    new_survivor = (
        survivor.model_copy(
            update={
                "version": survivor.version + 1,
                "visits": {k: e for k, e in survivor.visits.items() if k not in back},
            },
        )
        if survivor and back
        else None
    )
    restored = tombstone.model_copy(
        update={
            "version": tombstone.version + 1,
            "visits": back,
            "merged_into": None,
            "moved_out": [],
        }
    )
    return new_survivor, restored
