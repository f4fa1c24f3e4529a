"""What a resolution is asked (a name, identifiers and what else is known) and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from hssk_contracts import identifiers as ids
from hssk_contracts.visit import Identifier
from hssk_identity.domain import dates, matching
from hssk_identity.domain import person as persons_domain
from hssk_identity.domain.review import Candidate


@dataclass(frozen=True)
class Query:
    name: str
    identifiers: tuple[Identifier, ...] = ()
    birth_date: str | None = None
    sex: str = "unknown"
    phone: str | None = None
    commune_code: str | None = None
    address: str | None = None

    @property
    def match_keys(self) -> list[str]:
        """Lookup keys of the identifiers brought, strongest first (as a person's)."""
        return ids.match_keys([(i.type, i.value) for i in self.identifiers])

    def demographics(self) -> matching.Demographics:
        """Worked out once per query (one resolution asks for it several times)."""
        known: matching.Demographics | None = self.__dict__.get("_demographics")
        if known is None:
            known = persons_domain.demographics_of(self)
            object.__setattr__(self, "_demographics", known)  # not a field: no effect on ==
        return known

    def answered_by(self, card: persons_domain.HolderCard | None, cause: str) -> bool:
        """A returning patient, answered from their identifier's card alone: the card lists
        every identifier brought (nothing to link), this is not a replay of the registration,
        and the birth dates agree (so no conflict check can fail, whatever the name)."""
        return (
            card is not None
            and card.created_by != cause
            and card.lists(self.identifiers)
            and not matching.births_differ(
                dates.parse_birth_date(self.birth_date), dates.parse_birth_date(card.birth_date)
            )
        )


@dataclass(frozen=True)
class Resolution:
    decision: str  # matched | review | new | created
    person_id: str | None
    score: float | None = None
    weights: dict[str, float] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)
    matched_on: str = "probabilistic"
    review_id: str | None = None
    not_linked: str | None = None  # why a registration linked none of the identifiers brought
    model: str = ""  # the match model whose weights these are, when candidates were weighed

    @classmethod
    def ranked(
        cls,
        decision: str,
        person_id: str | None,
        candidates: list[Candidate],
        *,
        matched_on: str = "probabilistic",
        review_id: str | None = None,
        model: str = "",
    ) -> Resolution:
        """An answer whose score and weights are those of the best candidate (listed first)."""
        best = candidates[0] if candidates else None
        return cls(
            decision,
            person_id,
            best.score if best else None,
            best.weights if best else {},
            candidates,
            matched_on,
            review_id,
            model=model if candidates else "",
        )
