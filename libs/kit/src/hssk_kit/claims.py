"""The claim schema a token must meet before any claim is used: strict types (no "1999999999" for
exp, no list for role), shapes from hssk_contracts.codes, and the claim each role is bound to."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from hssk_contracts import codes, text

Role = Literal["citizen", "doctor", "ward_officer", "leader", "hospital", "operator"]
ROLES: frozenset[str] = frozenset(Role.__args__)  # type: ignore[attr-defined]
BOUND_CLAIM: dict[str, str] = {
    "citizen": "person_id",
    "doctor": "facility",
    "hospital": "facility",
    "ward_officer": "ward",
}


class ClaimsError(ValueError):
    """Claims that do not meet the schema; the message names each claim and why."""


def _subject(value: str) -> str:
    if why := text.refusal(value):
        raise ValueError(why)
    if not any(c.isprintable() and not c.isspace() for c in value):
        raise ValueError("has no visible character")
    return value


def _numeric_date(value: Any) -> int | float:
    # RFC 7519 NumericDate is a JSON number; PyJWT alone would int() "1999999999" and True.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a JSON number of seconds, not {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def _shaped(pattern: str, what: str) -> AfterValidator:
    shape = re.compile(pattern, re.ASCII)  # a plain \d also takes other scripts' digits

    def check(value: str) -> str:
        if not shape.fullmatch(value):
            raise ValueError(f"must be {what}")
        return value

    return AfterValidator(check)


Subject = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_subject)]
NumericDate = Annotated[int | float, PlainValidator(_numeric_date)]
Facility = Annotated[str, _shaped(codes.FACILITY, "a 5-digit facility code (MA_CSKCB)")]
Commune = Annotated[str, _shaped(codes.COMMUNE, "a 5-digit commune / ward code")]
PersonId = Annotated[str, _shaped(codes.ENTITY_ID, "a person id (a lower-case UUID)")]


class Claims(BaseModel):
    """The claims HSSK reads; others are ignored. iss and aud values are PyJWT's to check."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    iss: str
    aud: str | list[str]
    sub: Subject
    exp: NumericDate
    nbf: NumericDate | None = None
    iat: NumericDate | None = None
    role: Role
    facility: Facility | None = None
    ward: Commune | None = None
    person_id: PersonId | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        # An optional claim may be absent, but a null one is a claim of the wrong type.
        if isinstance(data, dict):
            if nulls := [name for name in cls.model_fields if name in data and data[name] is None]:
                raise ValueError(f"claim {nulls[0]!r} is null")
        return data

    @model_validator(mode="after")
    def _bound_to_their_scope(self) -> Claims:
        bound = BOUND_CLAIM.get(self.role)
        if bound and getattr(self, bound) is None:
            raise ValueError(f"role {self.role} needs a {bound} claim")
        return self


def check(payload: dict[str, Any]) -> Claims:
    """The payload's claims, or ClaimsError saying which claims are wrong and why."""
    try:
        return Claims.model_validate(payload)
    except ValidationError as exc:
        raise ClaimsError("; ".join(_reasons(exc.errors()))) from None


def _reasons(errors: list[ErrorDetails]) -> list[str]:
    reasons: dict[str, str] = {}  # one per claim: a union's branches each report a failure
    for err in errors:
        claim = str(err["loc"][0]) if err["loc"] else ""
        why = str(err.get("ctx", {}).get("error", "")) or err["msg"]
        if err["type"] == "missing":
            why = f"claim {claim!r} is missing"
        elif claim:
            why = f"claim {claim!r}: {why}"
        reasons.setdefault(claim, why)
    return list(reasons.values())
