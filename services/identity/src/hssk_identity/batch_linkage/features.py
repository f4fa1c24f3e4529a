"""Each row of the list as the columns the SQL comparisons read, worked out by the same domain
code as the online matcher (names folded and split, dates with their precision, phones in E.164,
identifiers as match keys), so SQL only compares what Python prepared."""

from __future__ import annotations

from typing import Any

from hssk_identity.domain import matching, names
from hssk_identity.domain.query import Query

COLUMNS = (
    "unique_id", "name_exact", "name_folded", "family", "middle", "given", "given_exact", "words",
    "marked", "given_ambiguous", "surname_band", "birth_full", "birth_digits", "birth_year",
    "birth_month", "birth_day", "sex", "commune", "phone", "address", "address_words",
    "personal_id", "insurance_number", "cmnd", "initials", "month_day",
)  # fmt: skip
# A surname's rarity (names.surname_weight) in four bands: SQL weighs an agreeing surname by
# its band's representative rarity (the online matcher by the rarity itself).
SURNAME_BANDS = ((0.9, 1.0), (0.5, 0.7), (0.2, 0.35), (0.0, 0.1))  # (from, weighed as)


def row(unique_id: str, q: Query) -> dict[str, Any]:
    d: matching.Demographics = q.demographics()
    n, b = d.name, d.birth
    full = b is not None and b.is_full and not b.estimated
    address = names.fold(d.address).split() if d.address else None
    cmnd = next((i.value for i in q.identifiers if i.type == "cmnd"), None)
    return {
        "unique_id": unique_id,
        "name_exact": n.exact,
        "name_folded": n.folded,
        "family": n.family or None,
        "middle": list(n.middle),
        "given": n.given or None,
        "given_exact": n.exact.split()[-1] if n.exact else None,
        "words": " ".join(sorted(n.folded.split())),
        "marked": names.has_marks(n),
        "given_ambiguous": names.ambiguous_without_marks(n.given) if n.given else False,
        "surname_band": band(names.surname_weight(n.family)) if n.family else None,
        "birth_full": f"{b.year:04d}-{b.month:02d}-{b.day:02d}" if full and b else None,
        "birth_digits": f"{b.year:04d}{b.month:02d}{b.day:02d}" if full and b else None,
        "birth_year": b.year if b else None,
        "birth_month": b.month if full and b else None,
        "birth_day": b.day if full and b else None,
        "sex": None if d.sex == "unknown" else d.sex,
        "commune": d.commune_code,
        "phone": d.phone,
        "address": " ".join(address) if address else None,
        "address_words": address,
        "personal_id": d.personal_id,
        "insurance_number": d.insurance_number,
        "cmnd": cmnd,
        "initials": "".join(sorted(w[:1] for w in (n.family, n.given) if w)) or None,
        "month_day": f"{b.month:02d}{b.day:02d}" if full and b else None,
    }


def band(rarity: float) -> int:
    return next(i for i, (low, _) in enumerate(SURNAME_BANDS) if rarity >= low)
