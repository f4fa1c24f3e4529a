"""`python -m hssk_identity.batch_linkage LIST.csv [--generate N]`: deduplicate a city's list
(the bulk-import CSV format, docs/identity-import.md) as one batch job, and write beside it
`LIST.clusters.csv` (row_id, cluster: the rows of one citizen share a cluster) and
`LIST.reviews.csv` (pairs the rules would not link alone, with the score and why). Prints one
BATCH line: rows, pairs scored, clusters, reviews, seconds per stage, rows/s, peak memory.
`--generate N` first writes N synthetic rows (the evaluation's generator) to LIST.csv, for
benchmarks. Loading the clusters as persons is not part of this command yet."""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import time
from pathlib import Path

from hssk_identity.batch_linkage import features, linkage
from hssk_identity.bulk_import import files
from hssk_identity.domain import matching
from hssk_identity.evaluation.population import population
from hssk_identity.evaluation.records import labelled_records
from hssk_identity.handlers import Query

PEOPLE_PER_ROW = 0.55  # the generator writes ~2.15 records per person: enough, then cut


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hssk_identity.batch_linkage")
    parser.add_argument("list", type=Path)
    parser.add_argument("--generate", type=int, help="first write this many synthetic rows")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    args = parser.parse_args(argv)
    if args.generate:
        generate(args.list, args.generate)
    started = time.perf_counter()
    rows, rejected = read(args.list)
    prepared = time.perf_counter() - started
    if not rows:
        print(f"BATCH no usable rows in {args.list} ({rejected} rejected)", file=sys.stderr)
        return 2
    linked = linkage.link(rows, matching.CURRENT, threads=args.threads)
    write(args.list, linked)
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
    return 0


def read(path: Path) -> tuple[list[dict], int]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = csv.reader(handle)
        columns = files.read_header(next(lines, None))
        rows, rejected = [], 0
        for values in lines:
            row_id, parsed = files.parse_row(columns, values)
            if isinstance(parsed, Query):
                rows.append(features.row(row_id, parsed))
            else:
                rejected += 1
    return rows, rejected


def write(path: Path, linked: linkage.Linked) -> None:
    with path.with_suffix(".clusters.csv").open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["row_id", "cluster"])
        w.writerows(sorted(linked.clusters.items()))
    with path.with_suffix(".reviews.csv").open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["row_id", "other_row_id", "score", "why"])
        w.writerows(linked.reviews)


def generate(path: Path, rows: int) -> None:
    people = population(max(1, round(rows * PEOPLE_PER_ROW)), seed=14)
    with path.open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["row_id", "name", "birth_date", "sex", "cccd", "bhyt", "cmnd", "phone",
                    "commune_code", "address"])  # fmt: skip
        for r in labelled_records(people, seed=14)[:rows]:
            ids = dict(r.identifiers)
            w.writerow([r.record_id, r.name, r.birth_date or "", r.sex, ids.get("cccd", ""),
                        ids.get("bhyt", ""), ids.get("cmnd", ""), r.phone or "",
                        r.commune_code or "", r.address or ""])  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
