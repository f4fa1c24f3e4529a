"""`python -m hssk_identity.training`: learn a new match model from a list of records, show how
its weights and decisions differ from the model in use, and switch to it only when asked.

    --file LIST.csv          records in the bulk-import format (docs/identity-import.md): the
                             city's own list, e.g. this month's BHYT list (labels are not needed)
    --generated 99:standard,98:harsh
                             synthetic populations (seed:profile), as the shipped model is trained
    --switch                 write the new model over the shipped one (hssk_identity/
                             matching-model.json); without it, to --out only

The decisions are compared by resolving the same records, in the same order, into an empty
in-memory index under each model; where the records carry labels (synthetic ones), the match
quality of both is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from hssk_identity.bulk_import import files
from hssk_identity.domain import matching
from hssk_identity.domain.model import LEVELS, Model
from hssk_identity.evaluation import run, scoring
from hssk_identity.evaluation.population import population
from hssk_identity.evaluation.profiles import PROFILES
from hssk_identity.evaluation.records import Record, labelled_records
from hssk_identity.handlers import Query
from hssk_identity.training.train import RANDOM_PAIRS, train

PEOPLE = 3000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hssk_identity.training")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--file", type=Path, help="a list in the bulk-import CSV format")
    source.add_argument(
        "--generated",
        default="99:standard,98:harsh",
        help="synthetic populations as seed:profile, comma-separated (default: %(default)s)",
    )
    parser.add_argument("--people", type=int, default=PEOPLE, help="per synthetic population")
    parser.add_argument("--version", default=None, help="default: learned-<today>")
    parser.add_argument(
        "--link", type=float, help="link threshold (default: as certain as the model in use)"
    )
    parser.add_argument("--review", type=float, help="review threshold (default: likewise)")
    parser.add_argument("--margin", type=float, help="margin over the runner-up (in use)")
    parser.add_argument("--note", default="", help="why, kept in the model's provenance")
    parser.add_argument("--random-pairs", type=int, default=RANDOM_PAIRS, help="for u")
    parser.add_argument("--out", type=Path, default=Path("bench/results/matching-model.new.json"))
    parser.add_argument("--switch", action="store_true", help="make it the shipped model")
    args = parser.parse_args(argv)

    now = datetime.now(UTC)
    if args.file:
        groups, about = _from_file(args.file)
    else:
        groups, about = _generated(args.generated, args.people)
    current = matching.CURRENT
    learned = train(
        [run.query(r).demographics() for records in groups.values() for r in records],
        current,
        version=args.version or f"learned-{now:%Y-%m-%d}",
        trained_on=about,
        now=now,
        random_pairs=args.random_pairs,
    )
    learned = replace(  # by default, as certain as the model in use on a list like this one
        learned,
        link_threshold=learned.link_threshold if args.link is None else args.link,
        review_threshold=learned.review_threshold if args.review is None else args.review,
        link_margin=learned.link_margin if args.margin is None else args.margin,
        provenance=learned.provenance | ({"note": args.note} if args.note else {}),
    )
    print(weights_table(current, learned))
    for name, records in groups.items():  # each list in an index of its own
        print(decision_changes(name, current, learned, records))
        for model in (current, learned) if not args.file else ():  # synthetic: labelled
            s = scoring.score(asyncio.run(run.resolve_all(records, model=model)))
            print(
                f"  {model.version}: precision={s.precision:.4f} recall={s.recall:.4f} "
                f"review_rate={s.review_rate:.4f} household_false_merges="
                f"{s.household_false_merges} (labels read for this line only)"
            )
    document = json.dumps(learned.document(), ensure_ascii=False, indent=2) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(document, encoding="utf-8")
    print(f"new model written to {args.out}")
    if args.switch:
        shipped = Path(str(resources.files("hssk_identity").joinpath("matching-model.json")))
        shipped.write_text(document, encoding="utf-8")
        print(f"switched: {shipped} is now {learned.version}; restart identity to use it")
    return 0


def weights_table(current: Model, learned: Model) -> str:
    lines = [f"{'level':<28}{current.version:>20}{learned.version:>20}    m         u"]
    for key in LEVELS:
        lines.append(
            f"{key:<28}{current.weights[key]:>20.2f}{learned.weights[key]:>20.2f}"
            f"    {learned.m[key]:<9.4f} {learned.u[key]:.6f}"
        )
    for name, a, b in (
        ("link threshold", current.link_threshold, learned.link_threshold),
        ("review threshold", current.review_threshold, learned.review_threshold),
        ("margin", current.link_margin, learned.link_margin),
    ):
        lines.append(f"{name:<28}{a:>20.2f}{b:>20.2f}")
    return "\n".join(lines)


def decision_changes(name: str, current: Model, learned: Model, records: Sequence[Record]) -> str:
    """How each record's decision moves from the model in use to the new one."""
    before = asyncio.run(run.resolve_all(records, model=current))
    after = asyncio.run(run.resolve_all(records, model=learned))
    moves = Counter((a.decision, b.decision) for a, b in zip(before, after, strict=True))
    lines = [f"{name}: {len(records)} records, decisions {current.version} -> {learned.version}"]
    for (a, b), n in sorted(moves.items(), key=lambda item: -item[1]):
        lines.append(f"  {a:>8} -> {b:<8} {n:>7}" + ("" if a == b else "   changed"))
    return "\n".join(lines)


def _generated(spec: str, people: int) -> tuple[dict[str, list[Record]], dict]:
    groups: dict[str, list[Record]] = {}
    parts = []
    for item in spec.split(","):
        seed, _, profile_name = item.partition(":")
        profile = PROFILES[profile_name or "standard"]
        made = labelled_records(population(people, int(seed), profile), int(seed), profile)
        groups[f"seed {seed}, {profile.name}"] = run.shuffled(made, int(seed))
        parts.append({"seed": int(seed), "profile": profile.name, "people": people})
    return groups, {"source": "synthetic population generator", "populations": parts}


def _from_file(path: Path) -> tuple[dict[str, list[Record]], dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(handle)
        columns = files.read_header(next(rows, None))
        parsed = [files.parse_row(columns, row) for row in rows]
    records = [_as_record(q, i) for i, (_, q) in enumerate(parsed) if isinstance(q, Query)]
    about = {"source": str(path.name), "rows": len(parsed), "usable": len(records)}
    return {path.name: records}, about


def _as_record(item: Query, i: int) -> Record:
    """A row of the list as the evaluation resolves it; its label is its own (none known)."""
    return Record(
        record_id=f"row{i}",
        label=f"row{i}",
        household=f"row{i}",
        source="file",
        name=item.name,
        birth_date=item.birth_date,
        sex=item.sex,
        phone=item.phone,
        commune_code=item.commune_code,
        address=item.address,
        identifiers=tuple((x.type, x.value) for x in item.identifiers),
        perturbations=(),
    )


if __name__ == "__main__":
    sys.exit(main())
