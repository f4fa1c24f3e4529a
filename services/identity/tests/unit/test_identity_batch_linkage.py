"""Batch linkage on Splink + DuckDB: a labelled synthetic list clustered with the online
matcher's levels and learned weights; no two people in one cluster, most duplicates found, the
rest sent to review; and the command writes its files and its figures."""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict

from hssk_identity.batch_linkage import features, linkage
from hssk_identity.batch_linkage.__main__ import main as batch_main
from hssk_identity.domain import matching
from hssk_identity.evaluation import run
from hssk_identity.evaluation.population import population
from hssk_identity.evaluation.records import labelled_records


def test_a_labelled_list_is_clustered_without_joining_two_people():
    records = labelled_records(population(1500, 21), 21)
    rows = [features.row(r.record_id, run.query(r)) for r in records]
    linked = linkage.link(rows, matching.CURRENT)
    label = {r.record_id: r.label for r in records}
    clusters: dict[str, list[str]] = defaultdict(list)
    for row_id, cluster in linked.clusters.items():
        clusters[cluster].append(row_id)
    joined = [
        (a, b) for members in clusters.values() for a, b in itertools.combinations(members, 2)
    ]
    assert joined and all(label[a] == label[b] for a, b in joined)  # precision 1 here
    per_person: dict[str, int] = defaultdict(int)
    for r in records:
        per_person[r.label] += 1
    true_pairs = sum(n * (n - 1) // 2 for n in per_person.values())
    reviewed = {(a, b) for a, b, _, _ in linked.reviews if label[a] == label[b]}
    assert len(joined) / true_pairs > 0.8  # linked alone
    assert (len(joined) + len(reviewed)) / true_pairs > 0.95  # linked or put to a reviewer
    assert {why for *_, why in linked.reviews} <= {"household", "name_doubt", "margin", "score"}


def test_the_thresholds_rise_with_the_size_of_the_list():
    model = matching.CURRENT
    small = linkage.thresholds(model, 1_000)
    city = linkage.thresholds(model, 14_000_000)
    assert small == (model.link_threshold, model.review_threshold)  # never below the model's
    assert city[0] > model.link_threshold + 10  # 14 M rows: log2(14 M / 13 k) ≈ 10 bits more


def test_the_command_writes_clusters_and_reviews_beside_the_list(tmp_path, capsys):
    listed = tmp_path / "bhyt.csv"
    assert batch_main([str(listed), "--generate", "3000"]) == 0
    shown = capsys.readouterr().out
    assert "BATCH rows=3000 " in shown and "rows_per_s=" in shown and "peak_memory_mb=" in shown
    with (tmp_path / "bhyt.clusters.csv").open() as f:
        clustered = list(csv.DictReader(f))
    assert len(clustered) == 3000 and len({r["cluster"] for r in clustered}) < 3000
    assert (tmp_path / "bhyt.reviews.csv").read_text().startswith("row_id,other_row_id,score,why")


def test_a_cluster_is_loaded_as_its_most_complete_row_with_every_identifier():
    from hssk_contracts.visit import Identifier
    from hssk_identity.batch_linkage.persons import COLUMNS, representatives
    from hssk_identity.handlers import Query

    queries = {
        "r1": Query(name="NGUYEN VAN AN", birth_date="1990"),
        "r2": Query(
            name="Nguyễn Văn An",
            birth_date="1990-05-04",
            sex="male",
            identifiers=(Identifier(type="cccd", value="001090012345"),),
        ),
        "r3": Query(
            name="Nguyen Van An",
            birth_date="1990-05-04",
            identifiers=(Identifier(type="bhyt", value="DN4010123456789"),),
        ),
        "r4": Query(name="Trần Thị Bích", birth_date="1985-01-02"),
    }
    rows = list(representatives(queries, {"r1": "r1", "r2": "r1", "r3": "r1", "r4": "r4"}))
    first = dict(zip(COLUMNS, rows[0], strict=True))
    assert first["row_id"] == "r1" and first["name"] == "Nguyễn Văn An"  # the most complete
    assert (first["cccd"], first["bhyt"], first["sex"]) == ("001090012345", "DN4010123456789",
                                                            "male")  # fmt: skip
    assert [r[0] for r in rows] == ["r1", "r4"]
