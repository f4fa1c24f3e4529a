"""The shapes of the codes and ids that travel in paths, queries, tokens and events, so that each
boundary checks them the same way (domain facts in docs/domain.md)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import BeforeValidator, Field

# Ids the platform derives itself (persons, reviews, dead letters, events): UUIDs, lower case.
ENTITY_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
FACILITY = r"^[0-9]{5}$"  # MA_CSKCB: 2-digit province + 3-digit sequence
COMMUNE = r"^[0-9]{5}$"  # a commune / ward (QĐ 19/2025)

EntityId = Annotated[
    str,
    Field(
        pattern=ENTITY_ID,
        min_length=36,
        max_length=36,
        examples=["945baa88-04b2-51ed-99d1-c0d6d0c5b885"],
    ),
]
PersonId = Annotated[
    str,
    Field(
        pattern=ENTITY_ID,
        min_length=36,
        max_length=36,
        description="an opaque person id from identity",
        examples=["945baa88-04b2-51ed-99d1-c0d6d0c5b885"],
    ),
]
FacilityCode = Annotated[
    str, Field(pattern=FACILITY, description="MA_CSKCB, 5 digits", examples=["01001"])
]
CommuneCode = Annotated[
    str, Field(pattern=COMMUNE, description="commune / ward code, 5 digits", examples=["26734"])
]


def _iso_instant(value: object) -> object:
    """Only an ISO 8601 date-time with its offset: a bare number would be read as seconds since
    1970 and a date-time without offset is ambiguous by seven hours."""
    if isinstance(value, str) and INSTANT.fullmatch(value.strip()):
        return value
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    raise ValueError("an ISO 8601 date-time with offset, e.g. 2026-11-22T08:00:00+07:00")


INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})"
)
Instant = Annotated[
    datetime,
    BeforeValidator(_iso_instant),
    Field(examples=["2026-11-22T08:00:00+07:00"]),
]
