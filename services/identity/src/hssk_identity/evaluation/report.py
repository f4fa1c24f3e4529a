"""The evaluation's outputs: a small table for people, one `EVAL …` line for machines, and the
JSON document written to bench/results/."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from hssk_identity.evaluation import scoring
from hssk_identity.evaluation.scoring import Outcome, Scores


def eval_line(s: Scores) -> str:
    return (
        f"EVAL precision={s.precision:.4f} recall={s.recall:.4f} "
        f"review_rate={s.review_rate:.4f} household_false_merges={s.household_false_merges} "
        f"records={s.records} people={s.people}"
    )


def document(s: Scores, outcomes: Sequence[Outcome], **run: Any) -> dict[str, Any]:
    return {
        **run,
        "people": s.people,
        "records": s.records,
        "duplicates": s.duplicates,
        "precision": round(s.precision, 6),
        "recall": round(s.recall, 6),
        "review_rate": round(s.review_rate, 6),
        "household_false_merges": s.household_false_merges,
        "matched": s.matched,
        "correct_matches": s.correct_matches,
        "found": s.found,
        "reviews": s.reviews,
        "decisions": s.decisions,
        "targets": {m: f"{op} {bound}" for m, op, bound in scoring.TARGETS},
        "failed_targets": s.failed_targets(),
        "recall_by_route": {
            k: {"found": f, "duplicates": d}
            for k, (f, d) in scoring.recall_by_route(outcomes).items()
        },
        "misses": dict(scoring.misses(outcomes).most_common()),
        "review_reasons": dict(_review_reasons(outcomes).most_common()),
        "by_perturbation": scoring.by_perturbation(outcomes),
    }


def table(s: Scores, outcomes: Sequence[Outcome], header: str) -> str:
    lines = [header, "", f"{'metric':<26}{'value':>9}  target"]
    for metric, op, bound in scoring.TARGETS:
        value = getattr(s, metric)
        shown = f"{value:.4f}" if isinstance(value, float) else str(value)
        failed = any(f.startswith(f"{metric}=") for f in s.failed_targets())
        lines.append(f"{metric:<26}{shown:>9}  {op} {bound:<6} {'FAIL' if failed else 'ok'}")
    lines += ["", f"{'decision':<26}{'records':>9}"]
    lines += [f"{d:<26}{n:>9}" for d, n in s.decisions.items()]
    lines += ["", "recall by route (duplicates)"]
    for route, (found, total) in scoring.recall_by_route(outcomes).items():
        lines.append(f"  {route:<24}{found:>6}/{total:<6} {found / total if total else 1:.4f}")
    lines += _counted("missed duplicates", scoring.misses(outcomes))
    lines += _counted("review reasons", _review_reasons(outcomes))
    lines += [
        "",
        f"{'perturbation':<20}{'dups':>6}{'missed':>8}{'miss%':>7}{'reviewed':>10}"
        f"{'wrong links':>13}",
    ]
    rows = scoring.by_perturbation(outcomes)
    for tag, row in sorted(rows.items(), key=lambda kv: (-kv[1].get("missed", 0), kv[0])):
        dups, missed = row.get("duplicates", 0), row.get("missed", 0)
        rate = f"{100 * missed / dups:.1f}" if dups else "-"
        lines.append(
            f"{tag:<20}{dups:>6}{missed:>8}{rate:>7}{row.get('reviewed', 0):>10}"
            f"{row.get('wrong_links', 0):>13}"
        )
    return "\n".join(lines)


def _counted(title: str, counts: Counter[str]) -> list[str]:
    return ["", title] + [f"  {n:>6}  {what}" for what, n in counts.most_common()]


def _review_reasons(outcomes: Sequence[Outcome]) -> Counter[str]:
    """Reasons without their numbers ("score 12.5 is in the review band" -> "score in band")."""
    reasons: Counter[str] = Counter()
    for o in outcomes:
        if o.decision != "review":
            continue
        if o.reason.startswith("household guard"):
            reasons["household guard"] += 1
        elif o.reason.startswith("score"):
            reasons["score in the review band"] += 1
        elif o.reason.startswith("margin"):
            reasons["margin over the runner-up too small"] += 1
        else:
            reasons["identifier held by a person whose name and birth date differ"] += 1
    return reasons
