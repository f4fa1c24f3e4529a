"""XML1, the visit summary row (patient, identifiers, dates, diagnoses) -> canonical Visit fields.

Also reads legacy 4210 XML1 under the QĐ 130 names.
"""

from __future__ import annotations

import re
from typing import Any

from hssk_contracts import identifiers as ids
from hssk_ingest_emr.domain.qd130.fields import Fields
from hssk_ingest_emr.domain.qd130.formats import (
    parse_birth,
    parse_first_day,
    parse_instant,
    parse_integer,
    split_list,
)

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
        out,
        "treatment_days",
        "SO_NGAY_DTRI",
        x1.parsed("SO_NGAY_DTRI", parse_integer, "number_format"),
    )
    x1.put(out, "revisit_date", "NGAY_TAI_KHAM", x1.parsed("NGAY_TAI_KHAM", parse_first_day))
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
    if re.fullmatch(r"[0-9]", code):  # 4210 wrote 1/2/3; a 130 HIS that lost the leading zero
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
        x1.put(out, f"patient.{path}", tag, x1.parsed(tag, parse_first_day))
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
