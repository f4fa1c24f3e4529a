"""One person per cluster, as a row of the bulk-import format, so that the clusters are loaded
through the existing registry (`hssk identity import`: identifiers claimed once, blocks filed,
PersonCreated published, a checkpoint to resume): the most complete row of the cluster speaks
for it, and carries every identifier its rows brought."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from hssk_contracts import identifiers as ids
from hssk_identity.domain import dates, names
from hssk_identity.domain.query import Query

COLUMNS = ("row_id", "name", "birth_date", "sex", "cccd", "bhyt", "cmnd", "phone",
           "commune_code", "address")  # fmt: skip


def completeness(q: Query) -> int:
    """How much a row says: a personal ID, a full birth date, a name with its diacritics, …"""
    birth = dates.parse_birth_date(q.birth_date)
    kinds = {i.type for i in q.identifiers}
    return (
        4 * ("cccd" in kinds)
        + 2 * bool(birth and birth.is_full and not birth.estimated)
        + names.has_marks(names.parse(q.name))
        + bool(q.phone)
        + bool(q.commune_code)
        + bool(q.address)
        + (q.sex != "unknown")
    )


def representatives(
    queries: Mapping[str, Query], clusters: Mapping[str, str]
) -> Iterable[list[str]]:
    """A bulk-import row per cluster (its row_id the cluster's), in cluster order."""
    members: dict[str, list[str]] = defaultdict(list)
    for row_id, cluster in clusters.items():
        members[cluster].append(row_id)
    for cluster in sorted(members):
        rows = [queries[r] for r in sorted(members[cluster])]
        best = max(rows, key=completeness)
        found: dict[str, Counter[str]] = defaultdict(Counter)
        for q in rows:
            for i in q.identifiers:
                found[i.type][i.value] += 1
        cccd = found["cccd"].most_common(1)[0][0] if found["cccd"] else ""
        cmnd = found["cmnd"].most_common(1)[0][0] if found["cmnd"] else ""
        cards = sorted(found["bhyt"], key=lambda c: ids.social_insurance_number(c) or c)
        yield [
            cluster, best.name, best.birth_date or "", best.sex, cccd, ";".join(cards), cmnd,
            best.phone or "", best.commune_code or "", best.address or "",
        ]  # fmt: skip
