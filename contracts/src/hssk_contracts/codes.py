"""The shapes of the codes and ids that travel in paths, queries, tokens and events, so that each
boundary checks them the same way (domain facts in docs/domain.md)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# Ids the platform derives itself (persons, reviews, dead letters, events): UUIDs, lower case.
ENTITY_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
FACILITY = r"^\d{5}$"  # MA_CSKCB: 2-digit province + 3-digit sequence
COMMUNE = r"^\d{5}$"  # a commune / ward (QĐ 19/2025)

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
