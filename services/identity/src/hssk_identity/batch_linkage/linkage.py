"""One batch linkage: the rows into DuckDB, Splink's predictions over the blocked pairs, each
pair classed as the online matcher would (link, review, apart), and the links clustered."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
from splink import Linker, SettingsCreator, block_on
from splink.backends.duckdb import DuckDBAPI

from hssk_identity.batch_linkage import comparisons as c
from hssk_identity.batch_linkage.features import COLUMNS
from hssk_identity.domain.model import Model


@dataclass(frozen=True)
class Linked:
    clusters: dict[str, str]  # unique_id -> cluster id (the smallest unique_id in it)
    reviews: list[tuple[str, str, float, str]]  # (id, id, score, why) not linked alone
    pairs_scored: int
    link_threshold: float
    review_threshold: float
    seconds: dict[str, float]


def thresholds(model: Model, rows: int) -> tuple[float, float]:
    """The model's thresholds for a list of `rows`: with duplicates per record as in training,
    the prior falls by log2 of the size ratio, so the evidence asked rises by as much."""
    trained_on = int(model.provenance.get("records", rows)) or rows
    shift = max(0.0, math.log2(rows / trained_on))
    return round(model.link_threshold + shift, 2), round(model.review_threshold + shift, 2)


def link(rows: Sequence[dict[str, Any]], model: Model, threads: int = 2) -> Linked:
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    table = pa.Table.from_pylist(list(rows), schema=_schema())
    con.register("input_rows", table)
    con.execute("CREATE TABLE rows AS SELECT * FROM input_rows")
    db_api = DuckDBAPI(connection=con)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=list[Any](c.comparisons(model)),
        blocking_rules_to_generate_predictions=[block_on(*cols) for cols in c.BLOCKING],
        probability_two_random_records_match=0.5,  # the prior is in the thresholds
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["given_ambiguous"],  # for the guards
    )
    linker = Linker(db_api.register("rows"), settings)
    seconds["load"] = time.perf_counter() - started
    link_at, review_at = thresholds(model, len(rows))
    started = time.perf_counter()
    scored = linker.inference.predict(threshold_match_weight=review_at)
    seconds["predict"] = time.perf_counter() - started
    started = time.perf_counter()
    name = scored.physical_name
    con.execute(f"""
        CREATE TABLE classed AS SELECT unique_id_l, unique_id_r, match_weight,
          ({c.IDENTIFIED}) AS identified,
          CASE WHEN {c.IDENTIFIED} THEN 'link'
               WHEN {c.HOUSEHOLD} THEN 'household'
               WHEN {c.NAME_DOUBT} THEN 'name_doubt'
               WHEN match_weight >= {link_at} THEN 'link'
               ELSE 'score' END AS decision
        FROM {name}""")  # our own SQL: no value of the list is spliced into it
    # The margin rule: a link must beat, by the model's margin, every pair of either record
    # that is not itself a link (a twin the guards kept apart, a namesake scoring near).
    con.execute("""
        CREATE TABLE runner_up AS SELECT id, max(w) AS second
        FROM (SELECT unique_id_l AS id, match_weight AS w FROM classed WHERE decision <> 'link'
              UNION ALL
              SELECT unique_id_r, match_weight FROM classed WHERE decision <> 'link')
        GROUP BY id""")
    con.execute(f"""
        UPDATE classed SET decision = 'margin' FROM runner_up r
        WHERE decision = 'link' AND NOT identified AND r.id IN (unique_id_l, unique_id_r)
          AND match_weight - r.second < {model.link_margin}""")
    pairs = con.execute(f"SELECT count(*) FROM {name}").fetchone()
    links = con.execute(
        "SELECT unique_id_l, unique_id_r FROM classed WHERE decision = 'link'"
    ).fetchall()
    reviews = con.execute(
        "SELECT unique_id_l, unique_id_r, match_weight, decision FROM classed "
        "WHERE decision <> 'link' ORDER BY unique_id_l, unique_id_r"
    ).fetchall()
    clusters = _components([r["unique_id"] for r in rows], links)
    seconds["cluster"] = time.perf_counter() - started
    con.close()
    return Linked(
        clusters=clusters,
        reviews=[(a, b, round(w, 2), why) for a, b, w, why in reviews],
        pairs_scored=int(pairs[0]) if pairs else 0,
        link_threshold=link_at,
        review_threshold=review_at,
        seconds={k: round(v, 1) for k, v in seconds.items()},
    )


def _components(ids: Sequence[str], links: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Connected components of the links (union-find); each named by its smallest id."""
    parent = {i: i for i in ids}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {i: root(i) for i in ids}


def _schema() -> pa.Schema:
    types = {
        "marked": pa.bool_(), "given_ambiguous": pa.bool_(), "surname_band": pa.int8(),
        "birth_year": pa.int16(), "birth_month": pa.int8(), "birth_day": pa.int8(),
        "address_words": pa.list_(pa.string()), "middle": pa.list_(pa.string()),
    }  # fmt: skip
    return pa.schema([(col, types.get(col, pa.string())) for col in COLUMNS])
