"""QĐ 130/4750/3176 (and legacy 4210) GIAMDINHHS bundles -> one canonical Visit.

Owns the envelope: size and XML safety, base64 tables, one visit per message, standard detection.
This package's one entry point is `parse_bundle`, here; table fields are mapped in its tables
module (with details, fields, formats, problems and xml1). HIV (XML6) and TB (XML15) tables are
counted, never read.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from hssk_contracts.visit import Visit
from hssk_ingest_emr.domain.parsed import Parsed
from hssk_ingest_emr.domain.patient_keys import keys_of_xml1
from hssk_ingest_emr.domain.qd130 import tables as t

MAX_BYTES = 5 * 1024 * 1024
KNOWN_TABLES = frozenset(f"XML{n}" for n in range(16))
SENSITIVE_TABLES = frozenset({"XML6", "XML15"})  # HIV/AIDS care, TB treatment
# The row element of each multi-row table; single-record tables are their root's children.
ROW_TAGS = {"XML2": "CHI_TIET_THUOC", "XML3": "CHI_TIET_DVKT", "XML4": "CHI_TIET_CLS"}
MAPPED_TABLES = frozenset({*ROW_TAGS, *t.SINGLE_RECORD})


@dataclass
class _Bundle:
    """What the envelope held, before the tables are mapped."""

    found: t.Findings = field(default_factory=t.Findings)
    sender: str | None = None
    seen: set[str] = field(default_factory=set)  # table names present, readable or not
    rows: t.Rows = field(default_factory=dict)
    tags: dict[str, set[str]] = field(default_factory=dict)
    sensitive: dict[str, int] = field(default_factory=dict)


def parse_bundle(raw: bytes, *, received_at: datetime) -> Parsed:
    """Parse one GIAMDINHHS message; every problem found is reported, not only the first."""
    bundle = _Bundle()
    found = bundle.found
    if len(raw) > MAX_BYTES:
        found.problem("$", "payload_too_large", f"{len(raw)} bytes; the limit is {MAX_BYTES}")
    elif (root := _parse_xml(raw, "$", found)) is not None:
        _read_envelope(root, bundle)
    x1_rows = bundle.rows.get("XML1", [])
    x1 = x1_rows[0] if x1_rows else {}
    visit = None
    if x1:
        standard = detect_standard(bundle.tags.get("XML1", set()), bundle.tags.get("XML2", set()))
        visit = _map(bundle, standard, received_at)
    if found.problems:
        visit = None
    return Parsed(
        visit=visit,
        problems=found.problems,
        warnings=found.warnings,
        sensitive_tables=bundle.sensitive,
        facility_code=bundle.sender or x1.get("MA_CSKCB"),
        visit_id=x1.get("MA_LK"),
        patient_keys=keys_of_xml1(x1),
    )


def split(raw: bytes) -> list[bytes]:
    """A day's GIAMDINHHS file (several HOSO, as hospitals send the insurance gateway) as one
    file per HOSO, each with the sender (THONGTINDONVI) and the date it was made: each is then
    parsed, accepted or dead-lettered on its own, and a dead letter holds only its own visit.
    Anything else (one HOSO, none, or bytes that are not such a file) comes back whole, for
    parse_bundle to accept or to say what is wrong. The sender's signature (CHUKYDONVI) signs
    the whole file, so it is not copied into the parts."""
    if len(raw) > MAX_BYTES:
        return [raw]
    root = _parse_xml(raw, "$", t.Findings())
    if root is None or root.tag != "GIAMDINHHS":
        return [raw]
    records = root.findall("THONGTINHOSO/DANHSACHHOSO/HOSO")
    if len(records) < 2:
        return [raw]
    sender, made = root.find("THONGTINDONVI"), root.findtext("THONGTINHOSO/NGAYLAP")
    parts = []
    for record in records:
        part = ET.Element("GIAMDINHHS")
        if sender is not None:
            part.append(sender)
        info = ET.SubElement(part, "THONGTINHOSO")
        ET.SubElement(info, "NGAYLAP").text = made
        ET.SubElement(info, "SOLUONGHOSO").text = "1"
        ET.SubElement(info, "DANHSACHHOSO").append(record)
        text = ET.tostring(part, "unicode")
        parts.append(f'<?xml version="1.0" encoding="utf-8"?>\n{text}\n'.encode())
    return parts


def detect_standard(xml1_tags: set[str], xml2_tags: set[str]) -> str:
    """Which table layout, from the tags present (a generator writes every tag, even empty).

    4210: its XML1 names (MA_THE, MA_BENH...) without the 130 ones. 3176: XML1 NHOM_MAU (domain
    §3.2) or XML2 NGAY_TH_YL, both added by 3176. 4750 changed types and rules, not tags, so a
    4750 file cannot be told from a 130 one: both are "qd130".
    """
    if not xml1_tags & {"MA_THE_BHYT", "MA_BENH_CHINH"} and xml1_tags & set(t.LEGACY_XML1):
        return "qd4210"
    if "NHOM_MAU" in xml1_tags or "NGAY_TH_YL" in xml2_tags:
        return "qd3176"
    return "qd130"


def _map(bundle: _Bundle, standard: str, received_at: datetime) -> Visit | None:
    found = bundle.found
    x1, names = bundle.rows["XML1"][0], {}
    if standard == "qd4210":  # read under the 130 names, report under the 4210 ones
        x1 = {t.LEGACY_XML1.get(tag, tag): text for tag, text in x1.items()}
        names = {new: old for old, new in t.LEGACY_XML1.items()}
    payload: dict[str, Any] = {"standard": standard, "sent_at": received_at, "revision": 1}
    t.map_xml1(t.Fields(x1, "XML1", found, names=names), standard, payload)
    t.map_details(bundle.rows, found, payload)
    _check_links(bundle.rows, payload.get("visit_id"), found)
    if bundle.sender and payload.get("facility_code") not in (None, bundle.sender):
        found.warn(
            "THONGTINDONVI.MACSKCB",
            "facility_mismatch",
            f"sent by {bundle.sender} for a visit at {payload['facility_code']}",
        )
    return t.to_visit(payload, found)


def _check_links(rows: t.Rows, visit_id: str | None, found: t.Findings) -> None:
    """Every row must carry its visit's MA_LK: another visit's rows would mix two patients."""
    for table, table_rows in rows.items():
        for i, row in enumerate(table_rows):
            if visit_id and row.get("MA_LK", visit_id) != visit_id:
                where = f"{t.where_of(table, i)}.MA_LK"
                found.problem(
                    where, "visit_mismatch", f"{where} is not XML1's {visit_id}", row["MA_LK"]
                )


def _read_envelope(root: Element, bundle: _Bundle) -> None:
    found = bundle.found
    if root.tag != "GIAMDINHHS":
        found.problem("$", "envelope_invalid", f"root <{root.tag}> is not <GIAMDINHHS>")
        return
    bundle.sender = (root.findtext("THONGTINDONVI/MACSKCB") or "").strip() or None
    records = root.findall("THONGTINHOSO/DANHSACHHOSO/HOSO")
    declared = (root.findtext("THONGTINHOSO/SOLUONGHOSO") or "").strip()
    if declared and declared != str(len(records)):
        found.warn(
            "THONGTINHOSO.SOLUONGHOSO",
            "count_mismatch",
            f"SOLUONGHOSO {declared} but {len(records)} HOSO",
        )
    if len(records) > 1:
        found.problem(
            "DANHSACHHOSO.HOSO",
            "bundle_multiple_visits",
            f"{len(records)} HOSO: parse_bundle reads one visit (MA_LK); split() the file "
            "first, as ingest does",
            str(len(records)),
        )
    if not records:
        found.problem("DANHSACHHOSO.HOSO", "required", "the bundle holds no HOSO")
        return
    for file in records[0].findall("FILEHOSO"):
        _read_table(file, bundle)
    if "XML1" not in bundle.seen:
        found.problem("XML1", "required", "the HOSO holds no XML1 (TONG_HOP) table")


def _read_table(file: Element, bundle: _Bundle) -> None:
    found = bundle.found
    name = (file.findtext("LOAIHOSO") or "").strip().upper()
    if name in SENSITIVE_TABLES:  # counted, never decoded: their content stays out of HSSK
        bundle.sensitive[name] = bundle.sensitive.get(name, 0) + 1
        return
    if name not in KNOWN_TABLES:
        found.warn("LOAIHOSO", "table_unknown", f"LOAIHOSO {name!r} is no QĐ 130 table; ignored")
        return
    bundle.seen.add(name)
    if name not in MAPPED_TABLES:  # XML0 check-in, XML5 course, XML9-12 papers: not in the visit
        return
    try:
        content = base64.b64decode(
            "".join((file.findtext("NOIDUNGFILE") or "").split()), validate=True
        )
    except binascii.Error as exc:
        found.problem(name, "base64_invalid", f"NOIDUNGFILE of {name} is not base64: {exc}")
        return
    root = _parse_xml(content, name, found)
    if root is None:
        return
    if name == "XML1" and "XML1" in bundle.rows:
        found.problem("XML1", "table_duplicated", "two XML1 tables in one HOSO")
        return
    records = list(root.iter(ROW_TAGS[name])) if name in ROW_TAGS else [root]
    if not records:
        found.warn(name, "table_empty", f"{name} holds no <{ROW_TAGS[name]}> row")
    if name == "XML1" and root.tag != "TONG_HOP":
        found.warn(name, "table_root_unexpected", f"XML1 root is <{root.tag}>, not <TONG_HOP>")
    bundle.rows.setdefault(name, []).extend(_record(r) for r in records)
    bundle.tags.setdefault(name, set()).update(c.tag for r in records for c in r)


def _record(element: Element) -> t.Row:
    row: t.Row = {}
    for child in element:
        text = (child.text or "").strip()
        if text and len(child) == 0:
            row.setdefault(child.tag, text)
    return row


def _parse_xml(data: bytes, where: str, found: t.Findings) -> Element | None:
    """defusedxml with no DTD at all: no entity expansion, no external entities."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        found.problem(where, "xml_entities_forbidden", f"DTD or entity declarations: {exc!r}")
        return None
    except (ET.ParseError, ValueError, LookupError) as exc:  # also unknown declared encodings
        found.problem(where, "xml_invalid", f"not well-formed XML: {exc}")
        return None
    for element in root.iter():  # namespaces play no part in these tables
        if isinstance(element.tag, str):
            element.tag = element.tag.rpartition("}")[2]
    return root


def join(files: list[bytes]) -> bytes:
    """One GIAMDINHHS file of the HOSO of `files` (single-visit files of one sender), as a
    hospital sends a day's batch: for tests and the simulator, the inverse of `split`."""
    first, *others = (ET.fromstring(f) for f in files)
    listing = first.find("THONGTINHOSO/DANHSACHHOSO")
    count = first.find("THONGTINHOSO/SOLUONGHOSO")
    assert listing is not None and count is not None, "join takes build_bundle's files"
    for other in others:
        listing.extend(other.findall("THONGTINHOSO/DANHSACHHOSO/HOSO"))
    count.text = str(len(files))
    return f'<?xml version="1.0" encoding="utf-8"?>\n{ET.tostring(first, "unicode")}\n'.encode()


def build_bundle(
    tables: dict[str, str], *, facility_code: str | None = None, created: str | None = None
) -> bytes:
    """A one-visit GIAMDINHHS envelope from table XML ("XML1" -> "<TONG_HOP>..."), for tests and
    the simulator. MACSKCB and NGAYLAP default to XML1's MA_CSKCB and the day of NGAY_RA/NGAY_VAO.
    """
    x1: t.Row = {}
    if "XML1" in tables:
        found = t.Findings()
        x1_root = _parse_xml(tables["XML1"].encode(), "XML1", found)
        x1 = _record(x1_root) if x1_root is not None else {}
    root = ET.Element("GIAMDINHHS")
    sender = facility_code or x1.get("MA_CSKCB", "")
    ET.SubElement(ET.SubElement(root, "THONGTINDONVI"), "MACSKCB").text = sender
    info = ET.SubElement(root, "THONGTINHOSO")
    ET.SubElement(info, "NGAYLAP").text = (
        created or (x1.get("NGAY_RA") or x1.get("NGAY_VAO", ""))[:8]
    )
    ET.SubElement(info, "SOLUONGHOSO").text = "1"
    record = ET.SubElement(ET.SubElement(info, "DANHSACHHOSO"), "HOSO")
    for name, xml in tables.items():
        file = ET.SubElement(record, "FILEHOSO")
        ET.SubElement(file, "LOAIHOSO").text = name
        ET.SubElement(file, "NOIDUNGFILE").text = base64.b64encode(xml.encode()).decode()
    ET.indent(root)
    return f'<?xml version="1.0" encoding="utf-8"?>\n{ET.tostring(root, "unicode")}\n'.encode()
