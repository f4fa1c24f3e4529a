"""A canonical Visit as a hospital HIS would send it: a QĐ 130 GIAMDINHHS bundle (`to_qd130`) or
a FHIR R4 Bundle (`to_fhir`), written against what ingest-emr's parsers read back.

Both are lossy by nature. QĐ 130: instants to the minute in Vietnam time, no revision, one
document (SO_CCCD) besides the BHYT cards, no vitals but the weight. FHIR (as ingest-emr maps
it): no patient_category, diagnosis_admission, outcome, inpatient_at, department or traditional
codes, nationality, blood group, lab service code. Not written in either (the simulator has no
use for them): temporary cards, uncoded procedures, immunizations, summary, referral, guardian.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from hssk_contracts.visit import Visit
from hssk_ingest_emr.domain import fhir as F
from hssk_ingest_emr.domain import qd130
from hssk_ingest_emr.domain.qd130.tables import VIETNAM

SEX_CODES = {"male": "1", "female": "2", "unknown": "3"}
DOCUMENTS = ("cccd", "cmnd", "passport", "eid")  # what XML1.SO_CCCD can hold (one of them)
# Multi-row tables: root, list and row elements, and the columns written after MA_LK and STT.
ROW_TABLES = {
    "XML2": ("CHITIEU_CHITIET_THUOC", "DSACH_CHI_TIET_THUOC", "CHI_TIET_THUOC",
             ("MA_THUOC", "TEN_THUOC", "HAM_LUONG", "LIEU_DUNG", "SO_LUONG", "MA_BAC_SI")),
    "XML3": ("CHITIEU_CHITIET_DVKT_VTYT", "DSACH_CHI_TIET_DVKT", "CHI_TIET_DVKT",
             ("MA_DICH_VU", "TEN_DICH_VU")),
    "XML4": ("CHITIEU_CHITIET_DICHVUCANLAMSANG", "DSACH_CHI_TIET_CLS", "CHI_TIET_CLS",
             ("MA_DICH_VU", "MA_CHI_SO", "TEN_CHI_SO", "GIA_TRI", "DON_VI_DO", "KET_LUAN",
              "NGAY_KQ")),
}  # fmt: skip
VITAL_LOINC = {name: (code, next(iter(units))) for code, (name, units) in F.VITALS.items()}
CS_LAB = f"{F.HSSK}/CodeSystem/ma-chi-so"
CS_ACT = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CS_CONDITION = "http://terminology.hl7.org/CodeSystem/condition-category"
CS_OBSERVATION = "http://terminology.hl7.org/CodeSystem/observation-category"


# --- QĐ 130 -------------------------------------------------------------------------------------


def _instant(value: datetime | None) -> str | None:
    return value.astimezone(VIETNAM).strftime("%Y%m%d%H%M") if value else None


def _day(value: Any) -> str | None:
    return value.strftime("%Y%m%d") if value else None


def _decimal(value: float | None) -> str | None:
    return None if value is None else f"{value:.6f}".rstrip("0").rstrip(".")


def _birth(partial: str | None) -> str | None:
    """ "1990-05-01" / "1990-05" / "1990" -> yyyymmddHHMM with the unknown parts 00."""
    if not partial:
        return None
    y, m, d = [*partial.split("-"), "00", "00"][:3]
    return f"{y}{m}{d}0000"


def _table(root: str, rows: list[dict[str, Any]], list_tag: str = "", row_tag: str = "") -> str:
    """One table's XML: a single-record table is `root` itself; rows go in list_tag/row_tag."""
    top = ET.Element(root)
    parent = ET.SubElement(top, list_tag) if list_tag else top
    for row in rows:
        element = ET.SubElement(parent, row_tag) if row_tag else parent
        for tag, value in row.items():
            if value not in (None, ""):
                ET.SubElement(element, tag).text = str(value)
    ET.indent(top)
    return f'<?xml version="1.0" encoding="utf-8"?>\n{ET.tostring(top, "unicode")}\n'


def _rows(visit_id: str, tags: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[dict]:
    return [{"MA_LK": visit_id, "STT": n, **dict(zip(tags, r, strict=True))}
            for n, r in enumerate(rows, 1)]  # fmt: skip


def to_qd130(v: Visit) -> bytes:
    p, lk = v.patient, v.visit_id
    x1 = {
        "MA_LK": lk, "STT": 1, "HO_TEN": p.name,
        "SO_CCCD": next((i.value for i in p.identifiers if i.type in DOCUMENTS), None),
        "NGAY_SINH": _birth(p.birth_date), "GIOI_TINH": SEX_CODES[p.sex],
        "NHOM_MAU": p.blood_group, "MA_QUOCTICH": p.nationality, "MA_DANTOC": p.ethnicity,
        "MA_NGHE_NGHIEP": p.occupation, "DIA_CHI": p.address,
        "MATINH_CU_TRU": p.province_code, "MAXA_CU_TRU": p.commune_code, "DIEN_THOAI": p.phone,
        "MA_THE_BHYT": ";".join(i.value for i in p.identifiers if i.type == "bhyt"),
        "MA_DKBD": p.initial_facility,
        "GT_THE_TU": _day(p.bhyt_valid_from), "GT_THE_DEN": _day(p.bhyt_valid_to),
        "LY_DO_VV": v.reason, "CHAN_DOAN_VAO": v.diagnosis_admission,
        "CHAN_DOAN_RV": v.diagnosis_discharge, "MA_BENH_CHINH": v.main_icd10,
        "MA_BENH_KT": ";".join(v.secondary_icd10), "MA_BENH_YHCT": ";".join(v.traditional_codes),
        "MA_DOITUONG_KCB": v.patient_category, "MA_NOI_DEN": v.referral_to,
        "NGAY_VAO": _instant(v.admitted_at), "NGAY_VAO_NOI_TRU": _instant(v.inpatient_at),
        "NGAY_RA": _instant(v.discharged_at), "SO_NGAY_DTRI": v.treatment_days,
        "KET_QUA_DTRI": v.outcome, "MA_LOAI_RV": v.discharge_type, "GHI_CHU": v.advice,
        "MA_LOAI_KCB": v.visit_type, "MA_KHOA": ";".join(v.department_codes),
        "MA_CSKCB": v.facility_code, "CAN_NANG": _decimal(v.vitals.weight_kg),
        "NGAY_TAI_KHAM": _day(v.revisit_date),
    }  # fmt: skip
    rows: dict[str, list[tuple]] = {  # the prescriber is the treating doctor
        "XML2": [(d.code, d.name, d.strength, d.dosage, _decimal(d.quantity), v.doctor_code)
                 for d in v.drugs],
        "XML3": [(x.code, x.name) for x in v.procedures if x.code],
        "XML4": [(x.service_code, x.code, x.name, x.value, x.unit, x.conclusion, _instant(x.at))
                 for x in v.labs],
    }  # fmt: skip
    tables = {"XML1": _table("TONG_HOP", [x1])}
    for name, (root, list_tag, row_tag, tags) in ROW_TABLES.items():
        if rows[name]:
            tables[name] = _table(root, _rows(lk, tags, rows[name]), list_tag, row_tag)
    if v.doctor_code and not v.drugs:  # else the discharge paper names the doctor
        tables["XML7"] = _table("CHI_TIEU_GIAYRAVIEN", [{"MA_LK": lk, "MA_BS": v.doctor_code}])
    return qd130.build_bundle(tables, facility_code=v.facility_code)


# --- FHIR R4 ------------------------------------------------------------------------------------


def _number(text: str | None) -> int | float | None:
    """A JSON number that reads back (as a FHIR decimal) to exactly `text`, else None."""
    if text is None or not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return None
    number = float(text) if "." in text else int(text)
    return number if str(Decimal(str(number))) == text else None


def _concept(system: str | None, code: str | None, text: str | None = None) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}] if code else [], "text": text}


def _ext(url: str, code: str | None) -> list[dict[str, Any]]:
    return [{"url": url, "valueCoding": {"code": code}}] if code else []


def _iso(value: Any) -> str | None:  # the pruning drops None
    return value.isoformat() if value else None


class _Bundle:
    """Entries with urn:uuid references; the patient and the encounter are fixed ones."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.patient = {"reference": "urn:uuid:patient"}
        self.encounter = {"reference": "urn:uuid:encounter"}

    def add(self, kind: str, rid: str, /, **resource: Any) -> dict[str, str]:
        url = f"urn:uuid:{rid}"
        if all(e["fullUrl"] != url for e in self.entries):
            resource = {"resourceType": kind, "id": rid, **resource}
            self.entries.append({"fullUrl": url, "resource": resource})
        return {"reference": url}

    def clinical(self, kind: str, rid: str, /, **resource: Any) -> None:
        self.add(kind, rid, subject=self.patient, encounter=self.encounter, **resource)

    def org(self, code: str) -> dict[str, str]:
        ident = [{"system": F.SID_MA_CSKCB, "value": code}]
        return self.add("Organization", f"org-{code}", identifier=ident, name=f"CSKCB {code}")


def _patient(b: _Bundle, v: Visit) -> None:
    p = v.patient
    systems = {kind: system for system, kind in F.ID_SYSTEMS.items()}
    validity = {"start": _iso(p.bhyt_valid_from), "end": _iso(p.bhyt_valid_to)}
    idents = [{"system": systems[i.type], "value": i.value,
               "period": validity if i.type == "bhyt" else None}
              for i in p.identifiers if i.type in systems]  # fmt: skip
    ward = _ext(F.EXT_WARD, p.commune_code) + _ext(F.EXT_PROVINCE, p.province_code)
    address = {"use": "home", "text": p.address, "extension": ward}
    b.add("Patient", "patient", identifier=idents, name=[{"use": "official", "text": p.name}],
          gender=p.sex, birthDate=p.birth_date, address=[address] if p.address or ward else [],
          telecom=[{"system": "phone", "value": p.phone}] if p.phone else [],
          extension=_ext(F.EXT_ETHNICITY, p.ethnicity) + _ext(F.EXT_OCCUPATION, p.occupation),
    )  # fmt: skip
    card = next((i.value for i in p.identifiers if i.type == "bhyt"), None)
    if card and p.initial_facility:
        primary = [{"url": F.EXT_PRIMARY_CARE, "valueReference": b.org(p.initial_facility)}]
        card_id = [{"system": F.SID_BHYT, "value": card}]
        b.add("Coverage", "coverage", status="active", beneficiary=b.patient, extension=primary,
              identifier=card_id, payor=[{"display": "BHXH"}])  # fmt: skip


def _encounter(b: _Bundle, v: Visit) -> None:
    codes = [c for c in [v.main_icd10, *v.secondary_icd10] if c]
    for n, code in enumerate(codes, 1):
        text = v.diagnosis_discharge if n == 1 and v.main_icd10 else None
        category = [_concept(CS_CONDITION, "encounter-diagnosis")]
        b.clinical("Condition", f"condition-{n}", code=_concept(F.CS_ICD10, code, text),
                   category=category)  # fmt: skip
    doctor = [{"system": F.SID_DOCTOR, "value": v.doctor_code}] if v.doctor_code else None
    stay = None if v.treatment_days is None else {"value": v.treatment_days, "code": "d"}
    b.add("Encounter", "encounter", status="finished", subject=b.patient,
        identifier=[{"system": F.SID_MA_LK, "value": v.visit_id}],
        class_={"system": CS_ACT, "code": "IMP" if v.inpatient_at else "AMB"},
        type=[_concept(F.CS_VISIT_TYPE, v.visit_type)], length=stay,
        period={"start": _iso(v.admitted_at), "end": _iso(v.discharged_at)},
        serviceProvider=b.org(v.facility_code), reasonCode=[{"text": v.reason}],
        hospitalization={"dischargeDisposition": _concept(F.CS_DISCHARGE_TYPE, v.discharge_type)},
        participant=[{"individual": b.add("Practitioner", "doctor", identifier=doctor)}
                     ] if doctor else [],
        diagnosis=[{"condition": {"reference": f"urn:uuid:condition-{n}"}, "rank": n}
                   for n in range(1, len(codes) + 1)],
    )  # fmt: skip


def _orders(b: _Bundle, v: Visit) -> None:
    for name, value in v.vitals.model_dump(exclude_none=True).items():
        loinc, unit = VITAL_LOINC[name]
        quantity = {"value": value, "code": unit}
        code = _concept(F.CS_LOINC, loinc)
        b.clinical(
            "Observation", f"vital-{loinc}", status="final", code=code, valueQuantity=quantity
        )
    for n, lab in enumerate(v.labs, 1):
        number = _number(lab.value)  # a unit travels only with a numeric value
        value = ({"valueQuantity": {"value": number, "unit": lab.unit}} if number is not None
                 else {"valueString": lab.value})  # fmt: skip
        b.clinical("Observation", f"lab-{n}", status="final", **value,
                   category=[_concept(CS_OBSERVATION, "laboratory")],
                   code=_concept(CS_LAB, lab.code, lab.name), effectiveDateTime=_iso(lab.at),
                   note=[{"text": lab.conclusion}] if lab.conclusion else [])  # fmt: skip
    for n, d in enumerate(v.drugs, 1):
        strength = re.fullmatch(r"(\d+(?:\.\d+)?)([^\d\s.].*)", d.strength or "")
        amount = _number(strength[1]) if strength else None  # as QĐ 130 HAM_LUONG: "5mg"
        ingredient = {"itemCodeableConcept": {"text": d.name}, "strength": {
            "numerator": {"value": amount, "unit": strength and strength[2]},
            "denominator": {"value": 1}}}  # fmt: skip
        med = b.add("Medication", f"medication-{n}", code=_concept(F.CS_DRUG, d.code, d.name),
                    ingredient=[ingredient] if amount is not None else [])  # fmt: skip
        b.clinical("MedicationRequest", f"order-{n}", status="completed", intent="order",
                   medicationReference=med, dosageInstruction=[{"text": d.dosage}],
                   dispenseRequest={"quantity": {"value": d.quantity}})  # fmt: skip
    for n, x in enumerate(v.procedures, 1):
        code = _concept(None, x.code, x.name)
        b.clinical("Procedure", f"procedure-{n}", status="completed", code=code)


def to_fhir(v: Visit) -> bytes:
    b = _Bundle()
    _patient(b, v)
    _encounter(b, v)
    _orders(b, v)
    if v.revisit_date:
        start = datetime.combine(v.revisit_date, time(8), VIETNAM).isoformat()
        actor = [{"actor": b.patient, "status": "accepted"}]
        b.add("Appointment", "revisit", status="booked", start=start, participant=actor)
    if v.advice:
        b.clinical("CarePlan", "advice", status="active", intent="plan", description=v.advice)
    bundle = {"resourceType": "Bundle", "id": re.sub(r"[^A-Za-z0-9.-]", "-", v.visit_id)[:64],
              "meta": {"versionId": str(v.revision)}, "type": "collection",
              "timestamp": v.sent_at.isoformat(), "entry": b.entries}  # fmt: skip
    return json.dumps(_pruned(bundle), ensure_ascii=False).encode()


def _pruned(value: Any) -> Any:
    """FHIR forbids empty values: drop None, "", [] and {} all the way down ("class_" is
    "class", a Python keyword)."""
    if isinstance(value, dict):
        value = {k.rstrip("_"): _pruned(x) for k, x in value.items()}
        return {k: x for k, x in value.items() if x not in (None, "", [], {})}
    if isinstance(value, list):
        return [x for x in map(_pruned, value) if x not in (None, "", [], {})]
    return value
