"""QĐ 130/4750/3176 (and legacy 4210) table rows -> a canonical Visit.

Owns field formats (yyyymmddHHMM in Vietnam time, ';' lists, codes kept as strings) and remembers
which XML field each canonical path came from, so that every problem names the XML field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from pydantic import ValidationError

from hssk_contracts import identifiers as ids
from hssk_contracts.codec import Problem, problems_from
from hssk_contracts.visit import Visit

# Vietnam has kept UTC+7, without daylight saving, since 1975: a fixed offset is exact.
VIETNAM = timezone(timedelta(hours=7))

Row = dict[str, str]  # child tag -> stripped text; empty fields are left out
Rows = dict[str, list[Row]]  # "XML2" -> its rows, in document order

# 4210 XML1 names that QĐ 130 renamed; a 4210 row is read under the 130 names.
LEGACY_XML1 = {
    "MA_THE": "MA_THE_BHYT",
    "MA_BENH": "MA_BENH_CHINH",
    "MA_BENHKHAC": "MA_BENH_KT",
    "MA_LYDO_VVIEN": "MA_DOITUONG_KCB",  # 1 right level, 2 emergency, 3 wrong level: same roots
    "MA_NOI_CHUYEN": "MA_NOI_DEN",
    "TINH_TRANG_RV": "MA_LOAI_RV",  # 1 discharged, 2 referred, 3 absconded, 4 own request
    "TEN_BENH": "CHAN_DOAN_RV",
}
REQUIRED_XML1 = ("MA_LK", "MA_CSKCB", "HO_TEN", "NGAY_VAO")
VISIT_TYPES = frozenset(f"{n:02d}" for n in range(1, 17))  # QĐ 1804/2026
SEXES = {"1": "male", "2": "female", "3": "unknown"}

_XML1_TEXT = {
    "visit_id": "MA_LK",
    "facility_code": "MA_CSKCB",
    "patient.name": "HO_TEN",
    "patient.phone": "DIEN_THOAI",
    "patient.address": "DIA_CHI",
    "patient.commune_code": "MAXA_CU_TRU",
    "patient.province_code": "MATINH_CU_TRU",
    "patient.ethnicity": "MA_DANTOC",
    "patient.nationality": "MA_QUOCTICH",
    "patient.occupation": "MA_NGHE_NGHIEP",
    "patient.blood_group": "NHOM_MAU",
    "patient_category": "MA_DOITUONG_KCB",
    "reason": "LY_DO_VV",
    "diagnosis_admission": "CHAN_DOAN_VAO",
    "diagnosis_discharge": "CHAN_DOAN_RV",
    "outcome": "KET_QUA_DTRI",
    "discharge_type": "MA_LOAI_RV",
    "advice": "GHI_CHU",
}
_XML1_INSTANTS = {
    "admitted_at": "NGAY_VAO",
    "inpatient_at": "NGAY_VAO_NOI_TRU",
    "discharged_at": "NGAY_RA",
}
_XML1_LISTS = {"traditional_codes": "MA_BENH_YHCT", "department_codes": "MA_KHOA"}


def parse_instant(text: str) -> datetime:
    """yyyymmddHHMM, 24 h, Vietnam time."""
    if not re.fullmatch(r"\d{12}", text):
        raise ValueError("expected yyyymmddHHMM")
    return datetime.strptime(text, "%Y%m%d%H%M").replace(tzinfo=VIETNAM)


def parse_day(text: str) -> date:
    """yyyymmdd; a yyyymmddHHMM instant gives its (Vietnam) day."""
    if re.fullmatch(r"\d{12}", text):
        return parse_instant(text).date()
    if not re.fullmatch(r"\d{8}", text):
        raise ValueError("expected yyyymmdd")
    return datetime.strptime(text, "%Y%m%d").date()


def parse_birth(text: str) -> str:
    """NGAY_SINH with unknown parts written 0000/00 -> "1990-05-01", "1990-05" or "1990"."""
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})(\d{4})?", text)
    if not m or m[1] == "0000" or (m[2] == "00" and m[3] != "00"):
        raise ValueError("expected yyyymmddHHMM (unknown parts 00) or yyyymmdd")
    if m[4] and m[4] != "0000":
        datetime.strptime(m[4], "%H%M")  # a neonate's time of birth must still be a time
    if m[2] == "00":
        return m[1]
    date(int(m[1]), int(m[2]), int(m[3]) or 1)
    return f"{m[1]}-{m[2]}" if m[3] == "00" else f"{m[1]}-{m[2]}-{m[3]}"


def split_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


@dataclass
class Findings:
    """What one parse found, and the XML field behind each canonical path."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[tuple[str, str, str]] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    def problem(self, where: str, rule: str, message: str, value: str | None = None) -> None:
        self.problems.append(Problem(where, rule, message, value))

    def warn(self, where: str, rule: str, message: str) -> None:
        self.warnings.append((where, rule, message))

    def source_of(self, path: str) -> str:
        parts = path.split(".")
        for n in range(len(parts), 0, -1):
            if (key := ".".join(parts[:n])) in self.sources:
                return self.sources[key]
        return path


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
        return self.parsed(tag, _decimal, "number_format")


def _decimal(text: str) -> float:
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise ValueError("expected digits with '.' as the decimal separator")
    return float(text)


def _integer(text: str) -> int:
    if not text.isdigit():
        raise ValueError("expected a whole number")
    return int(text)


def _first_day(text: str) -> date:
    return parse_day(split_list(text)[0])


def map_xml1(x1: Fields, standard: str, out: dict[str, Any]) -> None:
    for tag in REQUIRED_XML1:
        if x1.text(tag) is None:
            x1.found.problem(x1.at(tag), "required", f"{x1.at(tag)} is required")
    for path, tag in _XML1_TEXT.items():
        x1.put(out, path, tag)
    for path, tag in _XML1_INSTANTS.items():
        x1.put(out, path, tag, x1.parsed(tag, parse_instant))
    for path, tag in _XML1_LISTS.items():
        x1.put(out, path, tag, split_list(x1.text(tag)))
    x1.put(out, "main_icd10", "MA_BENH_CHINH", (x1.text("MA_BENH_CHINH") or "").upper() or None)
    x1.put(
        out, "secondary_icd10", "MA_BENH_KT", [c.upper() for c in split_list(x1.text("MA_BENH_KT"))]
    )
    x1.put(out, "referral_to", "MA_NOI_DEN")
    x1.put(out, "visit_type", "MA_LOAI_KCB", _visit_type(x1, standard))
    weight = x1.number("CAN_NANG")
    # HIS fill 0 when nobody weighed the patient: no measurement, not a weight of 0 kg.
    x1.put(out, "vitals.weight_kg", "CAN_NANG", weight or None)
    x1.put(
        out, "treatment_days", "SO_NGAY_DTRI", x1.parsed("SO_NGAY_DTRI", _integer, "number_format")
    )
    x1.put(out, "revisit_date", "NGAY_TAI_KHAM", x1.parsed("NGAY_TAI_KHAM", _first_day))
    x1.put(
        out, "procedures", "MA_PTTT_QT", [{"code": c} for c in split_list(x1.text("MA_PTTT_QT"))]
    )
    _patient(x1, out)


def _visit_type(x1: Fields, standard: str) -> str | None:
    code = x1.text("MA_LOAI_KCB")
    where = x1.at("MA_LOAI_KCB")
    if code is None:
        x1.found.warn(
            where, "visit_type_missing", f"{where} is empty; the visit type defaults to 01"
        )
        return None
    if re.fullmatch(r"\d", code):  # 4210 wrote 1/2/3; a 130 HIS that lost the leading zero
        if standard != "qd4210":
            x1.found.warn(where, "visit_type_padded", f"{where} {code!r} read as '0{code}'")
        code = f"0{code}"
    if code not in VISIT_TYPES:
        x1.found.warn(where, "visit_type_unknown", f"{where} {code!r} is not a QĐ 1804 visit type")
    return code


def _patient(x1: Fields, out: dict[str, Any]) -> None:
    birth = x1.parsed("NGAY_SINH", parse_birth)
    x1.put(out, "patient.birth_date", "NGAY_SINH", birth)
    sex_code = x1.text("GIOI_TINH")
    sex = SEXES.get(sex_code or "3")
    if sex is None:
        x1.found.warn(x1.at("GIOI_TINH"), "sex_unknown", f"GIOI_TINH {sex_code!r} is not 1, 2 or 3")
    x1.put(out, "patient.sex", "GIOI_TINH", sex or "unknown")
    dkbd = split_list(x1.text("MA_DKBD"))
    if dkbd and not ids.is_temporary_registration(dkbd[0]):  # "79000" is no facility
        x1.put(out, "patient.initial_facility", "MA_DKBD", dkbd[0])
    for path, tag in (("bhyt_valid_from", "GT_THE_TU"), ("bhyt_valid_to", "GT_THE_DEN")):
        x1.put(out, f"patient.{path}", tag, x1.parsed(tag, _first_day))
    identifiers = _identifiers(x1, dkbd, int(birth[:4]) if birth else None, sex or "unknown")
    out.setdefault("patient", {})["identifiers"] = identifiers
    has_document = x1.text("SO_CCCD") is not None
    x1.found.sources["patient.identifiers"] = x1.at("SO_CCCD" if has_document else "MA_THE_BHYT")
    if not identifiers and not has_document:
        where = x1.at("MA_THE_BHYT")
        x1.found.problem(where, "required", f"neither SO_CCCD nor {where}: no identifier")


def _identifiers(x1: Fields, dkbd: list[str], birth_year: int | None, sex: str) -> list[dict]:
    out: list[dict] = []
    if (document := x1.text("SO_CCCD")) is not None:
        where = x1.at("SO_CCCD")
        try:
            kind = ids.infer_document_type(document)
        except ValueError as exc:
            x1.found.problem(where, "document_format", str(exc), document)
        else:
            value = ids.normalise(kind, document)
            x1.found.sources[f"patient.identifiers.{len(out)}"] = where
            out.append({"type": kind, "value": value})
            findings = ids.cccd_consistency(value, birth_year, sex) if kind == "cccd" else []
            province = ids.cccd_province_warning(value) if kind == "cccd" else None
            for finding in [*findings, *([province] if province else [])]:
                x1.found.warn(where, finding.rule, finding.message)
    for i, card in enumerate(ids.split_cards(x1.text("MA_THE_BHYT") or "")):
        registration = dkbd[min(i, len(dkbd) - 1)] if dkbd else None
        value = ids.normalise("bhyt", card)
        temporary = registration is not None and ids.is_temporary_card(value, registration)
        x1.found.sources[f"patient.identifiers.{len(out)}"] = x1.at("MA_THE_BHYT")
        out.append({"type": "temp" if temporary else "bhyt", "value": value})
    return out


def to_visit(payload: dict[str, Any], found: Findings) -> Visit | None:
    """Validate with pydantic; each error becomes a problem on its XML field, once per field."""
    try:
        return Visit.model_validate(payload)
    except ValidationError as exc:
        seen = {p.field for p in found.problems}
        for problem in problems_from(exc):
            where = found.source_of(problem.field)
            if where not in seen:
                seen.add(where)
                found.problems.append(
                    Problem(where, problem.rule, f"{where}: {problem.message}", problem.value)
                )
        return None


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
