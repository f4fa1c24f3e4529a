"""Synthetic citizens and visits (seeded, no real personal data) for demo, tests and benchmarks.

Personal IDs agree with birth year and sex (docs/domain.md, Identifiers); BHYT groups agree
with their level.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import VisitSubmitted
from hssk_contracts.visit import Drug, Identifier, LabResult, Patient, Sex, Visit, Vitals

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công"]
MIDDLE_F = ["Thị", "Ngọc", "Thanh", "Thu", "Minh", "Kim"]
GIVEN_M = ["An", "Bình", "Dũng", "Hải", "Hùng", "Long", "Nam", "Quang", "Sơn", "Tuấn", "Khoa"]
GIVEN_F = ["Hà", "Hạnh", "Hoa", "Lan", "Linh", "Mai", "Phương", "Thảo", "Trang", "Vy", "Yến"]
PROVINCES = [  # (CCCD province, province, commune code of 1 July 2025, address)
    ("001", "01", "00004", "Phường Ba Đình, Hà Nội"),
    ("079", "79", "26740", "Phường Sài Gòn, TP Hồ Chí Minh"),
    ("048", "48", "20242", "Phường Hải Châu, Đà Nẵng"),
]
FACILITIES = ["01001", "01003", "79001", "79024", "48001"]
BHYT_GROUPS = [("DN", 4), ("HN", 2), ("GD", 4), ("CN", 3), ("HS", 4), ("DT", 2)]
DIAGNOSES = [
    ("I10", "Tăng huyết áp vô căn"),
    ("E11", "Đái tháo đường type 2"),
    ("J06.9", "Nhiễm trùng hô hấp trên cấp"),
    ("K29.7", "Viêm dạ dày"),
    ("M54.5", "Đau thắt lưng"),
    ("J20.9", "Viêm phế quản cấp"),
]
DRUGS = [
    ("40.1", "Amlodipin", "5mg"),
    ("40.521", "Metformin", "500mg"),
    ("40.6", "Paracetamol", "500mg"),
    ("40.677", "Omeprazol", "20mg"),
]


@dataclass(frozen=True)
class Citizen:
    name: str
    birth: date
    sex: Sex
    cccd: str
    bhyt: str | None
    phone: str
    province: str
    commune_code: str
    address: str


def citizen(rng: random.Random) -> Citizen:
    sex: Sex = rng.choice(["male", "female"])
    birth = date(rng.randint(1940, 2020), rng.randint(1, 12), rng.randint(1, 28))
    prov, prov2, commune, address = rng.choice(PROVINCES)
    century = 2 * ((birth.year - 1900) // 100) + (1 if sex == "female" else 0)
    cccd = f"{prov}{century}{birth.year % 100:02d}{rng.randrange(10**6):06d}"
    middle = rng.choice(MIDDLE_F if sex == "female" else MIDDLE_M)
    given = rng.choice(GIVEN_F if sex == "female" else GIVEN_M)
    age = date.today().year - birth.year
    group, level = ("TE", 1) if age < 6 else ("HT", 3) if age >= 60 else rng.choice(BHYT_GROUPS)
    bhyt = f"{group}{level}{prov2}{rng.randrange(10**10):010d}" if rng.random() < 0.9 else None
    return Citizen(
        name=f"{rng.choice(FAMILY)} {middle} {given}",
        birth=birth,
        sex=sex,
        cccd=cccd,
        bhyt=bhyt,
        phone=f"09{rng.randrange(10**8):08d}",
        province=prov2,
        commune_code=commune,
        address=address,
    )


def population(n: int, seed: int = 7) -> list[Citizen]:
    rng = random.Random(seed)
    return [citizen(rng) for _ in range(n)]


def visit(
    person: Citizen,
    rng: random.Random,
    *,
    now: datetime | None = None,
    facility: str | None = None,
    visit_id: str | None = None,
) -> Visit:
    now = now or datetime.now(UTC)
    admitted = now - timedelta(days=rng.randint(0, 30), minutes=rng.randint(30, 600))
    code, label = rng.choice(DIAGNOSES)
    drug = rng.choice(DRUGS)
    ids = [Identifier(type="cccd", value=person.cccd)]
    if person.bhyt:
        ids.append(Identifier(type="bhyt", value=person.bhyt))
    return Visit(
        facility_code=facility or rng.choice(FACILITIES),
        visit_id=visit_id or f"LK{uuid.UUID(int=rng.getrandbits(128)).hex[:16].upper()}",
        sent_at=now,
        admitted_at=admitted,
        discharged_at=min(admitted + timedelta(minutes=45), now),
        patient=Patient(
            name=person.name,
            identifiers=ids,
            birth_date=person.birth.isoformat(),
            sex=person.sex,
            phone=person.phone,
            address=person.address,  # type: ignore[arg-type]
            commune_code=person.commune_code,
            province_code=person.province,
        ),
        visit_type="01",
        reason="Khám định kỳ",
        diagnosis_discharge=label,
        main_icd10=code,
        outcome="2",
        discharge_type="1",
        vitals=Vitals(
            weight_kg=round(rng.uniform(40, 85), 1),
            systolic_mmhg=rng.randint(100, 170),
            diastolic_mmhg=rng.randint(60, 100),
            pulse_bpm=rng.randint(60, 100),
        ),
        labs=[
            LabResult(
                code="GLU", name="Glucose máu", value=f"{rng.uniform(4, 9):.1f}", unit="mmol/L"
            )
        ],
        drugs=[
            Drug(
                code=drug[0],
                name=drug[1],
                strength=drug[2],
                dosage="1 viên/lần * 2 lần/ngày",
                quantity=28,
            )
        ],
        revisit_date=(now + timedelta(days=rng.randint(3, 40))).date(),
        advice="Tái khám đúng hẹn",
        doctor_code=f"BS{rng.randrange(10**6):06d}",
    )


def submitted(v: Visit) -> VisitSubmitted:
    return VisitSubmitted.new(
        event_id=derive_event_id("submitted", v.key, str(v.revision), v.sent_at.isoformat()),
        producer=f"his:{v.facility_code}",
        key=v.key,
        data=v,
    )
