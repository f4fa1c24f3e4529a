"""`python -m hssk_identity.batch_linkage LIST.csv [--generate N]`: deduplicate a city's list
(the bulk-import CSV format, docs/identity-import.md) as one batch job, and write beside it
`LIST.clusters.csv` (row_id, cluster: the rows of one citizen share a cluster) and
`LIST.reviews.csv` (pairs the rules would not link alone, with the score and why) and
`LIST.persons.csv` (one row per cluster in the bulk-import format: its most complete row, with
every identifier of the cluster). Prints one BATCH line: rows, pairs scored, clusters,
reviews, seconds per stage, rows/s, peak memory. `hssk identity link-batch LIST.csv --load`
then loads the persons through the registry (the bulk import: identifiers claimed once,
blocks filed, PersonCreated published, resumable). `--generate N` first writes N synthetic
rows (the evaluation's generator) to LIST.csv, for benchmarks."""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

from hssk_identity.batch_linkage import features, linkage, persons
from hssk_identity.bulk_import import files
from hssk_identity.domain import matching
from hssk_identity.evaluation.population import population
from hssk_identity.evaluation.records import labelled_records
from hssk_identity.handlers import Query

PEOPLE_PER_ROW = 0.55  # the generator writes ~2.15 records per person: enough, then cut


def main(argv: list[str] | None = None, load: Callable[[Path], int] | None = None) -> int:
    """`load`, when given, loads LIST.persons.csv (the CLI passes the bulk import)."""
    parser = argparse.ArgumentParser(prog="python -m hssk_identity.batch_linkage")
    parser.add_argument("list", type=Path)
    parser.add_argument("--generate", type=int, help="first write this many synthetic rows")
    parser.add_argument("--seed", type=int, default=14, help="of the synthetic rows")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    parser.add_argument("--load", action="store_true", help="load the persons (hssk CLI only)")
    args = parser.parse_args(argv)
    if args.generate:
        generate(args.list, args.generate, args.seed)
    started = time.perf_counter()
    queries, rejected = read(args.list)
    rows = [features.row(row_id, q) for row_id, q in queries.items()]
    prepared = time.perf_counter() - started
    if not rows:
        print(f"BATCH no usable rows in {args.list} ({rejected} rejected)", file=sys.stderr)
        return 2
    linked = linkage.link(rows, matching.CURRENT, threads=args.threads)
    write(args.list, linked, queries)
    total = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    timed = {"read": round(prepared, 1), **linked.seconds}
    stages = " ".join(f"{k}={v}s" for k, v in timed.items())
    print(
        f"BATCH rows={len(rows)} rejected={rejected} pairs_scored={linked.pairs_scored} "
        f"clusters={len(set(linked.clusters.values()))} reviews={len(linked.reviews)} "
        f"link_at={linked.link_threshold} review_at={linked.review_threshold} {stages} "
        f"total={total:.1f}s rows_per_s={len(rows) / total:.0f} peak_memory_mb={peak_mb:.0f}"
    )
    if args.load:
        if load is None:
            print("--load: run it as `hssk identity link-batch LIST.csv --load`", file=sys.stderr)
            return 2
        return load(args.list.with_suffix(".persons.csv"))
    return 0


def read(path: Path) -> tuple[dict[str, Query], int]:
    """The usable rows by row_id (a row the bulk import would reject is counted, left out)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = csv.reader(handle)
        columns = files.read_header(next(lines, None))
        queries, rejected = {}, 0
        for values in lines:
            row_id, parsed = files.parse_row(columns, values)
            if isinstance(parsed, Query) and row_id not in queries:
                queries[row_id] = parsed
            else:
                rejected += 1
    return queries, rejected


def write(path: Path, linked: linkage.Linked, queries: dict[str, Query]) -> None:
    with path.with_suffix(".clusters.csv").open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["row_id", "cluster"])
        w.writerows(sorted(linked.clusters.items()))
    with path.with_suffix(".reviews.csv").open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["row_id", "other_row_id", "score", "why"])
        w.writerows(linked.reviews)
    with path.with_suffix(".persons.csv").open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(persons.COLUMNS)
        w.writerows(persons.representatives(queries, linked.clusters))


def generate(path: Path, rows: int, seed: int) -> None:
    people = population(max(1, round(rows * PEOPLE_PER_ROW)), seed=seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["row_id", "name", "birth_date", "sex", "cccd", "bhyt", "cmnd", "phone",
                    "commune_code", "address"])  # fmt: skip
        for r in labelled_records(people, seed=seed)[:rows]:
            ids = dict(r.identifiers)
            w.writerow([r.record_id, r.name, r.birth_date or "", r.sex, ids.get("cccd", ""),
                        ids.get("bhyt", ""), ids.get("cmnd", ""), r.phone or "",
                        r.commune_code or "", r.address or ""])  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
