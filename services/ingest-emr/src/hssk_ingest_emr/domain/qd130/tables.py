"""QĐ 130/4750/3176 (and legacy 4210) table rows -> a canonical Visit: the per-table mappings.

One import for qd130: formats, XML1 and XML2–XML14 mappings, and problems named by XML field.
"""

from __future__ import annotations

from hssk_ingest_emr.domain.qd130.details import SINGLE_RECORD, map_details, where_of
from hssk_ingest_emr.domain.qd130.fields import TEXT, Fields
from hssk_ingest_emr.domain.qd130.formats import (
    VIETNAM,
    Row,
    Rows,
    parse_birth,
    parse_day,
    parse_instant,
    split_list,
)
from hssk_ingest_emr.domain.qd130.problems import Findings, to_visit
from hssk_ingest_emr.domain.qd130.xml1 import (
    LEGACY_XML1,
    REQUIRED_XML1,
    SEXES,
    VISIT_TYPES,
    map_xml1,
)

__all__ = [
    "LEGACY_XML1",
    "REQUIRED_XML1",
    "SEXES",
    "SINGLE_RECORD",
    "TEXT",
    "VIETNAM",
    "VISIT_TYPES",
    "Fields",
    "Findings",
    "Row",
    "Rows",
    "map_details",
    "map_xml1",
    "parse_birth",
    "parse_day",
    "parse_instant",
    "split_list",
    "to_visit",
    "where_of",
]
