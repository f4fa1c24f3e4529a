"""One XML record read in its field formats; every value put remembers its XML field."""

from __future__ import annotations

from typing import Any

from hssk_ingest_emr.domain.qd130.formats import Row, parse_decimal
from hssk_ingest_emr.domain.qd130.problems import Findings

TEXT: Any = object()  # put(): "the field's own text"


class Fields:
    """One XML record read in its formats; `base` is its canonical path, `where` its XML name."""

    def __init__(
        self, row: Row, where: str, found: Findings, base: str = "", names: Row | None = None
    ):
        self.row, self.where, self.found, self.base = row, where, found, base
        self.names = names or {}  # 130 name -> the tag this document really used (4210)

    def at(self, tag: str) -> str:
        return f"{self.where}.{self.names.get(tag, tag)}"

    def text(self, tag: str) -> str | None:
        return self.row.get(tag) or None

    def put(self, out: dict[str, Any], path: str, tag: str, value: Any = TEXT) -> None:
        """Set out[path] (dotted) to value, or to the field's text; remember the source anyway."""
        self.found.sources[f"{self.base}{path}"] = self.at(tag)
        value = self.text(tag) if value is TEXT else value
        if value is None or value == []:
            return
        *parents, last = path.split(".")
        for part in parents:
            out = out.setdefault(part, {})
        out[last] = value

    def parsed(self, tag: str, parse: Any, rule: str = "date_format") -> Any:
        text = self.text(tag)
        if text is None:
            return None
        try:
            return parse(text)
        except ValueError as exc:
            self.found.problem(self.at(tag), rule, f"{self.at(tag)} {text!r}: {exc}", text)
            return None

    def number(self, tag: str) -> float | None:
        return self.parsed(tag, parse_decimal, "number_format")
