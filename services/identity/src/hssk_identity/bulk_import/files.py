"""The files of a bulk import (docs/identity-import.md): the input CSV (header check; a row to a
resolve Query or to why it is rejected), and beside it the outcome file and the checkpoint."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

from hssk_contracts import identifiers as ids
from hssk_contracts.visit import Identifier
from hssk_identity.domain import dates
from hssk_identity.handlers import Query, Resolution

COLUMNS = tuple("row_id name birth_date sex cccd bhyt cmnd phone commune_code address".split())
REQUIRED = ("row_id", "name")
IDENTIFIER_COLUMNS = ("cccd", "bhyt", "cmnd")  # bhyt may hold several cards joined by ";"
SEXES = {"male": "male", "female": "female", "unknown": "unknown", "": "unknown"}
SEXES |= {"nam": "male", "nữ": "female"}
# What each of these columns must fully match: the limits of the resolve API (http.py).
LIMITS = {
    "row_id": (re.compile(r".{1,100}", re.S), "row_id_invalid", "must be 1-100 characters"),
    "name": (re.compile(r".{1,255}", re.S), "name_invalid", "must be 1-255 characters"),
    "phone": (re.compile(r"(\+?[0-9]{8,15})?"), "phone_format", "must be 8-15 digits"),
    "commune_code": (re.compile(r"([0-9]{5})?"), "commune_code_format", "must be 5 digits"),
    "address": (re.compile(r".{0,500}", re.S), "address_too_long", "must be ≤ 500 characters"),
}
PHONE_SEPARATORS = re.compile(r"[\s.\-()]+")
OUTCOME_COLUMNS = ("row_id", "outcome", "person_id", "review_id", "reason")
OUTCOMES = ("created", "linked", "review", "rejected")
OUTCOME_OF = {"created": "created", "matched": "linked", "review": "review"}  # by decision


class FormatError(ValueError):
    """The file is not CSV in this format; a bad row is not that (it is rejected on its own)."""


class HeaderError(FormatError):
    """The header row is missing, names an unknown or repeated column, or lacks a required one."""


class ResumeError(Exception):
    """The checkpoint cannot be used for this input; `--restart` starts over."""


class Rejection(Exception):
    """Why a row is not imported; the import goes on with the next row."""

    def __init__(self, field: str, rule: str, message: str):
        super().__init__(f"{field}: {rule}: {message}")
        self.field, self.rule = field, rule


def read_header(row: list[str] | None) -> tuple[str, ...]:
    if not row or not any(cell.strip() for cell in row):
        raise HeaderError("the file has no header row")
    columns = tuple(cell.strip().lower() for cell in row)
    if unknown := [c for c in columns if c not in COLUMNS]:
        raise HeaderError(
            f"unknown column(s): {', '.join(repr(c) for c in unknown)}; "
            f"the known columns are {', '.join(COLUMNS)}"
        )
    if repeated := sorted({c for c in columns if columns.count(c) > 1}):
        raise HeaderError(f"column(s) given more than once: {', '.join(repeated)}")
    if missing := [c for c in REQUIRED if c not in columns]:
        raise HeaderError(f"required column(s) missing: {', '.join(missing)}")
    return columns


def parse_row(columns: tuple[str, ...], values: list[str]) -> tuple[str, Query | Rejection]:
    """The row's id and what to resolve, or why the row is rejected (the first problem found)."""
    cells = dict.fromkeys(COLUMNS, "") | {
        c: v.strip() for c, v in zip(columns, values, strict=False)
    }
    if len(values) != len(columns):
        problem = f"{len(values)} fields where the header has {len(columns)}"
        return cells["row_id"], Rejection("row", "field_count", problem)
    try:
        return cells["row_id"], _query(cells)
    except Rejection as rejection:
        return cells["row_id"], rejection


def _query(cells: dict[str, str]) -> Query:
    cells["phone"] = PHONE_SEPARATORS.sub("", cells["phone"])
    for column, (pattern, rule, message) in LIMITS.items():
        if not pattern.fullmatch(cells[column]):
            raise Rejection(column, rule, f"{column} {cells[column][:40]!r} {message}")
    try:
        dates.parse_birth_date(cells["birth_date"])
    except ValueError as exc:
        raise Rejection("birth_date", "birth_date_invalid", str(exc)) from None
    sex = SEXES.get(unicodedata.normalize("NFC", cells["sex"]).lower())
    if sex is None:
        message = f"sex {cells['sex']!r} must be male, female, unknown, nam or nữ"
        raise Rejection("sex", "sex_invalid", message)
    optional = {c: cells[c] or None for c in ("birth_date", "phone", "commune_code", "address")}
    return Query(name=cells["name"], identifiers=_identifiers(cells), sex=sex, **optional)


def _identifiers(cells: dict[str, str]) -> tuple[Identifier, ...]:
    found = []
    for kind in IDENTIFIER_COLUMNS:
        values = ids.split_cards(cells[kind]) if kind == "bhyt" else [cells[kind]]
        for value in (ids.normalise(kind, v) for v in values if v):
            if problem := ids.format_problem(kind, value):
                raise Rejection(kind, problem.rule, problem.message)
            found.append(Identifier(type=kind, value=value))  # type: ignore[arg-type]
    return tuple(found)


def rejected_line(row_id: str, rejection: Rejection) -> list[str]:
    return [row_id, "rejected", "", "", str(rejection)]


def outcome_line(row_id: str, found: Resolution, query: Query) -> list[str]:
    """The row's outcome; a birth date that cannot exist is registered all the same (compared
    by what can be trusted of it), with the warning in the row's reason."""
    note = {"matched": f"matched on {found.matched_on}", "review": f"score {found.score}"}
    outcome = OUTCOME_OF[found.decision]
    warning = dates.impossibility(query.birth_date)
    reason = "; ".join(
        x for x in (note.get(found.decision, ""), warning and f"warning: {warning}") if x
    )
    return [row_id, outcome, found.person_id or "", found.review_id or "", reason]


def outcomes_path(input_path: Path) -> Path:
    return input_path.with_name(input_path.name + ".outcomes.csv")


def checkpoint_path(input_path: Path) -> Path:
    return input_path.with_name(input_path.name + ".checkpoint")


@dataclass
class Checkpoint:
    source: str
    input_bytes: int  # a changed input file cannot be resumed
    rows: int = 0  # input rows after the header, every one of them done, in order
    offset: int = 0  # bytes of the outcome file that hold exactly those rows' outcomes
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))

    @classmethod
    def of_input(cls, path: Path, source: str, restart: bool) -> tuple[Checkpoint | None, int]:
        """The checkpoint to resume from (None: start over), and the input's size."""
        input_bytes = path.stat().st_size
        if restart or not checkpoint_path(path).exists():
            return None, input_bytes
        try:
            saved = cls(**json.loads(checkpoint_path(path).read_text()))
        except (ValueError, TypeError) as exc:
            raise ResumeError(f"{checkpoint_path(path)} is unreadable ({exc})") from None
        if (saved.source, saved.input_bytes) != (source, input_bytes):
            raise ResumeError(
                f"the checkpoint is for source {saved.source!r} and a {saved.input_bytes}-byte "
                f"input, not {source!r} and {input_bytes} bytes; pass --restart to start over"
            )
        return saved, input_bytes

    def save(self, path: Path) -> None:
        temporary = path.with_name(path.name + ".tmp")
        with temporary.open("w") as out:
            json.dump(asdict(self), out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)


class OutcomeFile:
    """Outcome lines in input order, appended and flushed one by one; `offset` is its length."""

    def __init__(self, path: Path, resume_at: int | None):
        self._line = io.StringIO()
        self._writer = csv.writer(self._line, lineterminator="\n")
        self._file: BinaryIO
        if resume_at is None:
            self._file, self.offset = path.open("wb"), 0
            self.write(OUTCOME_COLUMNS)
            return
        try:
            self._file = path.open("r+b")
        except FileNotFoundError:
            raise ResumeError(f"{path} is missing; pass --restart to start over") from None
        if self._file.seek(0, os.SEEK_END) < resume_at:
            self._file.close()
            raise ResumeError(f"{path} is shorter than its checkpoint; pass --restart")
        # Lines past the checkpoint belong to rows that will be done again: drop them.
        self._file.truncate(resume_at)
        self._file.seek(resume_at)
        self.offset = resume_at

    def write(self, fields: tuple[str, ...] | list[str]) -> None:
        self._line.seek(0)
        self._line.truncate()
        self._writer.writerow(fields)
        data = self._line.getvalue().encode()
        self._file.write(data)
        self._file.flush()
        self.offset += len(data)

    def sync(self) -> None:  # the lines are durable before a checkpoint points past them
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()
