"""XML2 drugs, XML3 services, XML4 labs, XML7/8 summaries, XML13 referral and XML14 re-visit
-> canonical Visit fields, each remembering the XML field it came from.
"""

from __future__ import annotations

from typing import Any

from hssk_ingest_emr.domain.qd130.fields import Fields
from hssk_ingest_emr.domain.qd130.formats import Row, Rows, parse_day, parse_instant, split_list
from hssk_ingest_emr.domain.qd130.problems import Findings

SINGLE_RECORD = frozenset({"XML1", "XML7", "XML8", "XML13", "XML14"})
_SUMMARY = {
    "disease_course": [("XML8", "QT_BENHLY")],
    "key_results": [("XML8", "TOMTAT_KQ")],
    "treatment": [("XML8", "PP_DIEUTRI"), ("XML7", "PP_DIEUTRI")],
    "outcome": [("XML8", "KET_QUA_DTRI")],
    "notes": [("XML8", "GHI_CHU"), ("XML7", "GHI_CHU")],
}
_REFERRAL = {
    "to_facility": "MA_NOI_DEN",
    "from_facility": "MA_NOI_DI",
    "reason_code": "MA_LYDO_CT",
    "clinical_signs": "DAU_HIEU_LS",
    "direction": "HUONG_DIEU_TRI",
}
# The treating doctor: the discharge paper's, the re-visit note's, then the first prescriber.
# XML1.MA_TTDV names the head of the facility, so it only comes last.
_DOCTOR = [
    ("XML7", "MA_BS"),
    ("XML14", "MA_BAC_SI"),
    ("XML2", "MA_BAC_SI"),
    ("XML3", "MA_BAC_SI"),
    ("XML1", "MA_TTDV"),
]


def where_of(table: str, index: int) -> str:
    return table if table in SINGLE_RECORD else f"{table}[{index}]"


def map_details(rows: Rows, found: Findings, out: dict[str, Any]) -> None:
    """XML2 drugs, XML3 services, XML4 labs, XML7/8 summary, XML13 referral, XML14 re-visit."""
    out["drugs"] = [
        _drug(Fields(row, f"XML2[{i}]", found, f"drugs.{i}."))
        for i, row in enumerate(rows.get("XML2", []))
    ]
    out["labs"] = [
        _lab(Fields(row, f"XML4[{i}]", found, f"labs.{i}."))
        for i, row in enumerate(rows.get("XML4", []))
    ]
    _procedures(rows.get("XML3", []), found, out)
    summary: dict[str, Any] = {}
    for path, candidates in _SUMMARY.items():
        _first_of(rows, candidates, found, summary, path, "summary.")
    if summary:
        out["summary"] = summary
    guardian = [("XML8", "NGUOI_GIAM_HO"), ("XML7", "NGUOI_GIAM_HO")]
    _first_of(rows, guardian, found, out.setdefault("patient", {}), "guardian_name", "patient.")
    referral: dict[str, Any] = {}
    for path, tag in _REFERRAL.items():
        _first_of(rows, [("XML13", tag)], found, referral, path, "referral.")
    if referral:
        out["referral"] = referral
        if "referral_to" not in out and "to_facility" in referral:
            out["referral_to"] = referral["to_facility"]
            found.sources["referral_to"] = found.sources["referral.to_facility"]
    _revisit(rows, found, out)
    _first_of(rows, _DOCTOR, found, out, "doctor_code", "", first_code=True)


def _first_of(
    rows: Rows,
    candidates: list[tuple[str, str]],
    found: Findings,
    out: dict[str, Any],
    path: str,
    base: str,
    *,
    first_code: bool = False,
) -> None:
    """out[path] = the first non-empty candidate field ("MA_BAC_SI" lists: its first code)."""
    for table, tag in candidates:
        for i, row in enumerate(rows.get(table, [])):
            if value := row.get(tag):
                out[path] = split_list(value)[0] if first_code else value
                found.sources[f"{base}{path}"] = f"{where_of(table, i)}.{tag}"
                return


def _drug(r: Fields) -> dict[str, Any]:
    drug: dict[str, Any] = {}
    for path, tag in (("code", "MA_THUOC"), ("name", "TEN_THUOC"), ("strength", "HAM_LUONG")):
        r.put(drug, path, tag)
    r.put(drug, "dosage", "LIEU_DUNG")
    r.put(drug, "quantity", "SO_LUONG", r.number("SO_LUONG"))
    return drug


def _lab(r: Fields) -> dict[str, Any]:
    lab: dict[str, Any] = {}
    for path, tag in (("service_code", "MA_DICH_VU"), ("code", "MA_CHI_SO"), ("unit", "DON_VI_DO")):
        r.put(lab, path, tag)
    # An imaging row has no indicator: its name falls back to its codes, its value to MO_TA.
    name = r.text("TEN_CHI_SO") or r.text("MA_CHI_SO") or r.text("MA_DICH_VU")
    r.put(lab, "name", "TEN_CHI_SO", name)
    r.put(lab, "value", "GIA_TRI" if r.text("GIA_TRI") else "MO_TA")
    r.put(lab, "conclusion", "KET_LUAN")
    r.put(lab, "at", "NGAY_KQ", r.parsed("NGAY_KQ", parse_instant))
    return lab


def _procedures(rows: list[Row], found: Findings, out: dict[str, Any]) -> None:
    """MA_PTTT_QT codes, then XML3 services once each; bed days and supplies are no procedures."""
    procedures: list[dict[str, Any]] = []
    for item in out.get("procedures", []):
        if item not in procedures:
            procedures.append(item)
    for i, row in enumerate(rows):
        if row.get("MA_GIUONG") or not row.get("MA_DICH_VU"):
            continue
        item = {
            "code": row["MA_DICH_VU"],
            **({"name": row["TEN_DICH_VU"]} if "TEN_DICH_VU" in row else {}),
        }
        if item not in procedures:
            found.sources[f"procedures.{len(procedures)}.code"] = f"XML3[{i}].MA_DICH_VU"
            found.sources[f"procedures.{len(procedures)}.name"] = f"XML3[{i}].TEN_DICH_VU"
            procedures.append(item)
    out["procedures"] = procedures


def _revisit(rows: Rows, found: Findings, out: dict[str, Any]) -> None:
    """XML14's appointment when XML1 has no NGAY_TAI_KHAM; a disagreement is only a warning."""
    for row in rows.get("XML14", [])[:1]:
        x14 = Fields(row, "XML14", found)
        appointment = x14.parsed("NGAY_HEN_KL", parse_day)
        if appointment is None:
            return
        if "revisit_date" not in out:
            x14.put(out, "revisit_date", "NGAY_HEN_KL", appointment)
        elif out["revisit_date"] != appointment:
            found.warn(
                x14.at("NGAY_HEN_KL"),
                "revisit_mismatch",
                f"XML14 appointment {appointment} differs from XML1 NGAY_TAI_KHAM "
                f"{out['revisit_date']}; XML1 kept",
            )
