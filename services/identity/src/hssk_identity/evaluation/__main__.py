"""`python -m hssk_identity.evaluation [--people N] [--seed S] [--out PATH]`: resolve a synthetic
population's records and check match quality against the issue's targets (exit 1 if missed)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from hssk_identity.evaluation import report, run, scoring
from hssk_identity.evaluation.population import population
from hssk_identity.evaluation.records import labelled_records

DEFAULT_PEOPLE = 3000
DEFAULT_SEED = 2026


def repo_root() -> Path:
    here = Path(__file__).resolve()
    for folder in here.parents:
        if (folder / "Makefile").is_file() and (folder / "services").is_dir():
            return folder
    raise LookupError(f"no repository root (Makefile + services/) above {here}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hssk_identity.evaluation")
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="JSON result (default: bench/results/eval-matching.json)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    people = population(args.people, args.seed)
    records = run.shuffled(labelled_records(people, args.seed), args.seed)
    outcomes = asyncio.run(run.resolve_all(records))
    seconds = round(time.perf_counter() - started, 2)
    scores = scoring.score(outcomes)
    print(
        report.table(
            scores,
            outcomes,
            f"match quality: {scores.people} people, "
            f"{scores.records} records, {scores.duplicates} duplicates "
            f"(seed {args.seed}, {seconds} s)",
        )
    )
    failed = scores.failed_targets()
    for target in failed:
        print(f"target missed: {target}")
    print(report.eval_line(scores))
    out = args.out or repo_root() / "bench" / "results" / "eval-matching.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = report.document(scores, outcomes, seed=args.seed, seconds=seconds)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
