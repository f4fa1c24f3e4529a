"""The online matcher's comparison levels (domain/matching.py) as Splink comparisons in SQL, over
the columns features.py prepares, each level weighed by the learned model (domain/model.py).
SQL approximates two of them: a typo is any one edit of the folded name (the online rule also
asks a short word to be no syllable), and a one-digit date slip is one digit differing (not two
neighbours swapped). Guards and the margin rule are applied to the scored pairs (linkage.py)."""

from __future__ import annotations

from typing import Any

from hssk_identity.batch_linkage.features import SURNAME_BANDS
from hssk_identity.domain.model import Model

IDENTIFIER_AGREES = 30.0  # the same CCCD or BHXH number: the online path links on it outright
DL = "damerau_levenshtein(name_folded_l, name_folded_r)"
TONE_CONFLICT = (
    "marked_l AND marked_r AND given_exact_l <> given_exact_r AND (name_folded_l = "
    f"name_folded_r OR (family_l = family_r AND given_l = given_r) OR {DL} = 1)"
)
CANNOT_TELL = "marked_l <> marked_r AND given_l = given_r AND given_ambiguous_l"


def probabilities(bits: float) -> dict[str, float]:
    """An m and u whose log2 ratio is `bits` (Splink weighs a level by that ratio alone)."""
    m, u = (1.0, 2.0**-bits) if bits >= 0 else (2.0**bits, 1.0)
    return {"m_probability": m, "u_probability": u}


def _level(sql: str, label: str, bits: float | None = None) -> dict[str, Any]:
    if bits is None:
        return {"sql_condition": sql, "label_for_charts": label, "is_null_level": True}
    return {"sql_condition": sql, "label_for_charts": label, **probabilities(bits)}


def _field(name: str, levels: list[dict[str, Any]]) -> dict[str, Any]:
    return {"output_column_name": name, "comparison_levels": levels}


def comparisons(model: Model) -> list[dict[str, Any]]:
    w = model.bits
    return [
        _field("name", [
            _level("name_folded_l IS NULL OR name_folded_r IS NULL", "null"),
            _level("name_exact_l = name_exact_r", "exact", w("name:exact")),
            _level(TONE_CONFLICT, "given_conflict", w("name:given_conflict")),
            _level("name_folded_l = name_folded_r", "tone_only", w("name:tone_only")),
            _level("family_l = family_r AND given_l = given_r AND len(middle_l) > 0 AND "
                   "len(middle_r) > 0 AND len(list_intersect(middle_l, middle_r)) = 0",
                   "middle_differs", w("name:middle_differs")),
            _level("family_l = family_r AND given_l = given_r", "middle_variant",
                   w("name:middle_variant")),
            _level("words_l = words_r", "reordered", w("name:reordered")),
            _level(f"{DL} = 1 AND given_l <> given_r", "given_typo", w("name:given_typo")),
            _level(f"{DL} = 1", "typo", w("name:typo")),
            _level("given_l = given_r", "given_only", w("name:given_only")),
            _level(f"{DL} <= 2 AND least(length(name_folded_l), length(name_folded_r)) >= 8",
                   "similar", w("name:similar")),
            _level("ELSE", "different", w("name:different")),
        ]),
        _field("surname", [
            _level("family_l IS NULL OR family_r IS NULL", "null"),
            *(
                _level(f"family_l = family_r AND surname_band_l = {i}", f"agree_{i}",
                       round(w("surname:agree") * weighed_as, 2))
                for i, (_, weighed_as) in enumerate(SURNAME_BANDS)
            ),
            _level("ELSE", "other", 0.0),
        ]),
        _field("birth", [
            _level("birth_year_l IS NULL OR birth_year_r IS NULL", "null"),
            _level("birth_full_l = birth_full_r", "exact", w("birth:exact")),
            _level("birth_year_l = birth_year_r AND birth_month_l = birth_day_r AND "
                   "birth_day_l = birth_month_r", "day_month_swapped",
                   w("birth:day_month_swapped")),
            _level("hamming(birth_digits_l, birth_digits_r) = 1", "one_digit",
                   w("birth:one_digit")),
            _level("abs(birth_year_l - birth_year_r) = 1 AND month_day_l = month_day_r",
                   "close_year", w("birth:close_year")),
            _level("birth_year_l = birth_year_r AND (birth_full_l IS NULL OR birth_full_r IS "
                   "NULL)", "year_agrees", w("birth:year_agrees")),
            _level("ELSE", "different", w("birth:different")),
        ]),
        *(
            _field(f, [
                _level(f"{f}_l IS NULL OR {f}_r IS NULL", "null"),
                _level(f"{f}_l = {f}_r", "agree", w(f"{level}:agree")),
                _level("ELSE", "disagree", w(f"{level}:disagree")),
            ])
            for f, level in (("sex", "sex"), ("commune", "commune"), ("phone", "phone"))
        ),
        _field("address", [
            _level("address_l IS NULL OR address_r IS NULL", "null"),
            _level("address_l = address_r", "agree", w("address:agree")),
            _level("len(list_intersect(address_words_l, address_words_r)) * 2 >= "
                   "len(list_distinct(list_concat(address_words_l, address_words_r)))",
                   "similar", w("address:similar")),
            _level("ELSE", "disagree", w("address:disagree")),
        ]),
        *(
            _field(f, [
                _level(f"{f}_l IS NULL OR {f}_r IS NULL", "null"),
                _level(f"{f}_l = {f}_r", "agree", IDENTIFIER_AGREES),
                _level(f"hamming({f}_l, {f}_r) = 1", "typo", w(f"{f}:typo")),
                _level("ELSE", "disagree", w(f"{f}:disagree")),
            ])
            for f in ("personal_id", "insurance_number")
        ),
        _field("cmnd", [
            _level("cmnd_l IS NULL OR cmnd_r IS NULL", "null"),
            _level("cmnd_l = cmnd_r", "agree", IDENTIFIER_AGREES),
            _level("ELSE", "disagree", 0.0),
        ]),
    ]  # fmt: skip


# The blocking keys of the online matcher (matching.blocking_keys), and the identifiers.
BLOCKING = (
    ("family", "given", "birth_year"), ("words", "birth_year"), ("family", "given", "month_day"),
    ("given", "birth_full"), ("family", "birth_full"), ("birth_full", "initials"),
    ("birth_full", "commune"), ("family", "given", "commune"), ("phone",),
    ("personal_id",), ("insurance_number",), ("cmnd",),
)  # fmt: skip

# gamma_<field> numbers a pair's level from the last (ELSE: 0) up; name: 10 exact, 9
# given_conflict, 7 middle_differs, 4 given_typo, 2 given_only, 1 similar, 0 different; birth:
# 5 exact, 2 close_year, 0 different; identifiers: 2 (cmnd: 1) agree.
# Never linked without review, as online (matching.levels): a household that differs in birth
# date, sex or given name, and given names that may be two different names.
HOUSEHOLD = (
    "(phone_l = phone_r OR address_l = address_r) AND ("
    "(sex_l <> sex_r) OR gamma_birth = 0 OR gamma_birth = 2"
    f" OR gamma_name IN (0, 1, 2, 9) OR ({CANNOT_TELL}))"
)
NAME_DOUBT = f"gamma_name IN (4, 9) OR (gamma_birth = 5 AND {CANNOT_TELL})"
IDENTIFIED = (
    "(gamma_personal_id = 2 OR gamma_insurance_number = 2 OR gamma_cmnd = 1)"
    " AND NOT (gamma_name = 0 AND gamma_birth = 0)"
)
