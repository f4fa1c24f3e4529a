"""Match-quality metrics over resolution outcomes, in the order the records were resolved.
Pure: knows labels and decisions, not the matcher."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

# The targets: (metric, comparison, bound).
TARGETS = (
    ("precision", ">=", 0.999),
    ("recall", ">=", 0.97),
    ("review_rate", "<=", 0.05),
    ("household_false_merges", "<=", 0),
)


@dataclass(frozen=True)
class Outcome:
    """One resolved record: its true label, the decision, and whom it landed on."""

    label: str
    household: str
    decision: str  # matched | review | created
    linked_label: str | None  # label of the person matched (or registered, for review/created)
    linked_household: str | None = None
    candidate_labels: tuple[str, ...] = ()  # labels of the top candidates, best first
    matched_on: str = "none"  # probabilistic | cccd | bhxh | cmnd | passport | none
    tags: tuple[str, ...] = ()  # perturbations of this record
    first_tags: tuple[str, ...] = ()  # perturbations of the first record seen with this label
    shares_identifier: bool = False  # an earlier record of this label carried one of its IDs
    reason: str = ""  # why a review was opened
    other_reviews: int = 0  # reviews opened beside the decision (a citizen held as two persons)


@dataclass(frozen=True)
class Scores:
    records: int
    people: int
    duplicates: int
    matched: int
    correct_matches: int
    found: int
    reviews: int
    household_false_merges: int
    decisions: dict[str, int] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.correct_matches / self.matched if self.matched else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.duplicates if self.duplicates else 1.0

    @property
    def review_rate(self) -> float:
        return self.reviews / self.records if self.records else 0.0

    def failed_targets(self) -> list[str]:
        failed = []
        for metric, op, bound in TARGETS:
            value = getattr(self, metric)
            if (value < bound) if op == ">=" else (value > bound):
                failed.append(f"{metric}={_fmt(value)} (target {op} {bound})")
        return failed


def score(outcomes: Sequence[Outcome]) -> Scores:
    seen: set[str] = set()
    duplicates = matched = correct = found = reviews = household_merges = 0
    decisions: Counter[str] = Counter()
    for o in outcomes:
        duplicate = o.label in seen
        seen.add(o.label)
        decisions[o.decision if o.decision != "matched" else f"matched:{o.matched_on}"] += 1
        reviews += (o.decision == "review") + o.other_reviews
        if o.decision == "matched":
            matched += 1
            correct += o.linked_label == o.label
            household_merges += o.linked_label != o.label and o.linked_household == o.household
        if duplicate:
            duplicates += 1
            found += is_found(o)
    return Scores(
        records=len(outcomes),
        people=len(seen),
        duplicates=duplicates,
        matched=matched,
        correct_matches=correct,
        found=found,
        reviews=reviews,
        household_false_merges=household_merges,
        decisions=dict(sorted(decisions.items())),
    )


def is_found(o: Outcome) -> bool:
    """Linked to the right person, or sent to review with the right person among candidates."""
    if o.decision == "matched":
        return o.linked_label == o.label
    return o.decision == "review" and o.label in o.candidate_labels


def miss_kind(o: Outcome) -> str:
    if o.decision == "matched":
        return "linked to the wrong person"
    if o.decision == "review":
        return "review without the right candidate"
    if o.label in o.candidate_labels:
        return "new person; right one scored below review"
    return "new person; right one not in top candidates"


def misses(outcomes: Sequence[Outcome]) -> Counter[str]:
    """Duplicates not found, by what happened to them."""
    seen: set[str] = set()
    kinds: Counter[str] = Counter()
    for o in outcomes:
        if o.label in seen and not is_found(o):
            kinds[miss_kind(o)] += 1
        seen.add(o.label)
    return kinds


def by_perturbation(outcomes: Sequence[Outcome]) -> dict[str, dict[str, int]]:
    """Per perturbation (on the record or on the first record of its person): duplicates
    carrying it, how many were missed, reviewed, and wrongly linked (any record)."""
    seen: set[str] = set()
    table: dict[str, Counter[str]] = {}
    for o in outcomes:
        duplicate = o.label in seen
        seen.add(o.label)
        tags = set(o.tags) | {t for t in o.first_tags if not t.startswith("id:")}
        for tag in tags | {"(all)"}:
            row = table.setdefault(tag, Counter())
            row["wrong_links"] += o.decision == "matched" and o.linked_label != o.label
            if duplicate:
                row["duplicates"] += 1
                row["missed"] += not is_found(o)
                row["reviewed"] += o.decision == "review"
    return {tag: dict(row) for tag, row in sorted(table.items())}


def recall_by_route(outcomes: Sequence[Outcome]) -> dict[str, tuple[int, int]]:
    """(found, duplicates) for duplicates an identifier could link and for the rest."""
    seen: set[str] = set()
    routes: dict[str, list[int]] = {"identifier": [0, 0], "probabilistic only": [0, 0]}
    for o in outcomes:
        if o.label in seen:
            route = routes["identifier" if o.shares_identifier else "probabilistic only"]
            route[0] += is_found(o)
            route[1] += 1
        seen.add(o.label)
    return {name: (found, total) for name, (found, total) in routes.items()}


def _fmt(value: float) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)
