"""A synthetic city like Hà Nội and TP Hồ Chí Minh (seeded, no real personal data): the real
communes of 1 July 2025, Viet Nam's age pyramid, chronic conditions by age and sex, and visits of
a realistic mix. Pure except for reading the ward list packaged with `vietnam_provinces`."""

from __future__ import annotations

import functools
import itertools
import json
import math
import random
import uuid
from bisect import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import vietnam_provinces

from hssk_cli import synth
from hssk_contracts.bhyt_groups import levels_on
from hssk_contracts.visit import Drug, Identifier, LabResult, Patient, Sex, Visit, Vitals

YEAR = 365.2425
ICT = timezone(timedelta(hours=7))  # clinics keep Vietnam time
# Viet Nam 2024, % of people per 5-year band 0-4 ... 80+ (approximate); the share of men per band.
AGE_SHARES = (7.3, 7.9, 8.1, 7.0, 6.8, 7.4, 8.3, 8.1, 7.6, 7.0, 6.2, 5.6, 4.6, 3.6, 2.5, 1.6, 1.4)
MALE_SHARE = (0.52,) * 4 + (0.5,) * 8 + (0.45,) * 2 + (0.4,) * 2 + (0.33,)
FAMILY_SHARES = (38, 11, 9.5, 7, 2.5, 2.5, 4.5, 2, 2, 2.1, 2, 1.4, 1.3, 1.3, 1, 0.5)  # synth.FAMILY
ADULT_BHYT = ("GD", "GD", "GD", "DN", "DN", "DN", "HC", "HN", "CN")
# % with each chronic condition at ages 0-17, 18-39, 40-59, 60+ as (men, women).
# Source: STEPS 2021-like, approximate.
# HIV (B20-B24) and TB (A15-A19) are never generated: the platform keeps them apart.
CHRONIC: dict[str, tuple[tuple[float, float], ...]] = {
    "I10": ((0, 0), (6.5, 3.5), (30, 20), (48, 43)),
    "E11.9": ((0, 0), (1, 1), (7, 7), (15, 15)),
    "J44.9": ((0, 0), (0, 0), (3, 1), (9, 3)),
    "J45.9": ((3, 3),) * 4,
    "I25.9": ((0, 0), (0, 0), (0, 0), (6, 6)),
    "I69.4": ((0, 0), (0, 0), (0, 0), (3.5, 2.5)),
    "N18.9": ((0, 0), (0, 0), (0, 0), (4, 4)),
    "C": ((0, 0), (0, 0), (0.5, 0.5), (2, 2)),  # a cancer, its site by sex below
    "F32.9": ((0, 0), (1.4, 2.6), (1.4, 2.6), (1.4, 2.6)),
}
CANCERS = {"male": ("C22.9", "C34.9", "C16.9", "C18.9"),
           "female": ("C50.9", "C50.9", "C18.9", "C22.9", "C34.9", "C16.9")}  # fmt: skip
LABELS = {
    "I10": "Tăng huyết áp vô căn", "E11.9": "Đái tháo đường type 2",
    "J44.9": "Bệnh phổi tắc nghẽn mạn tính", "J45.9": "Hen phế quản",
    "I25.9": "Bệnh tim thiếu máu cục bộ mạn", "I69.4": "Di chứng đột quỵ",
    "N18.9": "Bệnh thận mạn", "F32.9": "Giai đoạn trầm cảm", "C22.9": "Ung thư gan",
    "C34.9": "Ung thư phế quản và phổi", "C16.9": "Ung thư dạ dày", "C18.9": "Ung thư đại tràng",
    "C50.9": "Ung thư vú",
}  # fmt: skip
DRUGS: dict[str, tuple[str | None, str, str]] = {
    "I10": synth.DRUGS[0], "E11.9": synth.DRUGS[1], "J44.9": (None, "Salbutamol", "100mcg"),
    "J45.9": (None, "Salbutamol", "100mcg"), "I25.9": (None, "Aspirin", "81mg"),
    "I69.4": (None, "Aspirin", "81mg"), "F32.9": (None, "Sertralin", "50mg"),
    "K29.7": synth.DRUGS[3], "A09": (None, "Oresol", "27,9g"),
}  # fmt: skip
# Acute visits by ICD-10 chapter: (code, label, weight, who); "resp" rises in rainy months.
ACUTE = (
    ("J06.9", "Nhiễm trùng hô hấp trên cấp", 14, "resp"), ("J02.9", "Viêm họng cấp", 7, "resp"),
    ("J00", "Viêm mũi họng cấp", 5, "resp"), ("J20.9", "Viêm phế quản cấp", 6, "resp"),
    ("K29.7", "Viêm dạ dày", 6, ""), ("A09", "Tiêu chảy, viêm dạ dày ruột", 5, ""),
    ("M54.5", "Đau thắt lưng", 7, "adult"), ("M17.9", "Thoái hóa khớp gối", 5, "45+"),
    ("S93.4", "Bong gân cổ chân", 3, ""), ("S61.0", "Vết thương ngón tay", 2, ""),
    ("T14.0", "Tổn thương nông", 2, ""), ("L30.9", "Viêm da", 4, ""),
    ("H10.9", "Viêm kết mạc", 3, ""), ("H52.1", "Cận thị", 2, ""), ("K02.9", "Sâu răng", 4, ""),
    ("Z34.9", "Khám thai", 6, "pregnancy"), ("O21.0", "Nôn nghén", 1, "pregnancy"),
)  # fmt: skip
DOSAGE = "1 viên/lần * 2 lần/ngày"
FACILITIES = {"01": ("01001", "01003", "01011", "01014"), "79": ("79001", "79024", "79034")}
_AGE_CUM = tuple(itertools.accumulate(AGE_SHARES))
_FAMILY_CUM = tuple(itertools.accumulate(FAMILY_SHARES))
_RISKS = {  # (age group, sex) -> ((code, probability), ...), nonzero only
    (g, sex): tuple((c, by_age[g][s] / 100) for c, by_age in CHRONIC.items() if by_age[g][s])
    for g in range(4)
    for s, sex in enumerate(("male", "female"))
}


@functools.cache
def divisions() -> dict[str, tuple[str, tuple[tuple[str, str], ...]]]:
    """Province code "01" -> (its name, ((commune code "00070", commune name), ...))."""
    provinces = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text("utf-8"))
    return {
        f"{p['code']:02d}": (p["name"], tuple((f"{w['code']:05d}", w["name"]) for w in p["wards"]))
        for p in provinces
    }


@dataclass(frozen=True)
class CityCitizen(synth.Citizen):
    conditions: tuple[str, ...]  # ICD-10 codes of chronic conditions
    declares: float  # 0-1: how likely they fill their record in (and give a hospital details)


@dataclass(frozen=True)
class Ward:
    code: str
    name: str
    province: str
    province_name: str
    weight: float  # relative population
    engagement: float  # 0-1: how readily its people fill their records in


@dataclass(frozen=True)
class City:
    seed: int
    wards: tuple[Ward, ...]
    on: date  # the day ages are counted on

    @classmethod
    def of(
        cls,
        seed: int,
        provinces: Sequence[str] = ("01", "79"),
        wards: int | None = None,
        *,
        on: date | None = None,
    ) -> City:
        """`wards` communes (all if None) spread over `provinces`; ages counted `on` (today)."""
        rng, chosen = random.Random(seed), []
        per, extra = divmod(wards or 0, len(provinces))
        for i, prov in enumerate(provinces):
            if prov not in divisions():
                raise ValueError(f"no province {prov!r} in vietnam_provinces")
            name, communes = divisions()[prov]
            k = len(communes) if wards is None else per + (i < extra)
            for code, ward in sorted(rng.sample(communes, min(k, len(communes)))):
                weight = round(rng.lognormvariate(0, 0.6), 3)
                chosen.append(Ward(code, ward, prov, name, weight, round(rng.uniform(0.2, 0.9), 2)))
        return cls(seed, tuple(chosen), on or date.today())

    def citizens(self, n: int) -> list[CityCitizen]:
        """The first n citizens (the same for the same seed and day; a prefix of any larger n)."""
        rng = random.Random(self.seed * 1_000_003 + 1)
        cum = tuple(itertools.accumulate(w.weight for w in self.wards))
        levels = levels_on(self.on)
        return [
            _person(rng, self.wards[bisect(cum, rng.random() * cum[-1])], self.on, levels)
            for _ in range(n)
        ]

    def visits(
        self,
        person: CityCitizen,
        rng: random.Random,
        *,
        now: datetime,
        weeks: int = 12,
        count: int | None = None,
        prefix: str = "LK",
    ) -> list[Visit]:
        """Their visits of the last `weeks` weeks, oldest first; `now` carries a timezone."""
        local = now.astimezone(ICT)
        lived = (local.date() - person.birth).days
        span = min(weeks * 7, lived) - 1
        if span < 0:
            return []
        age = lived / YEAR
        acute = 0.12 * (1.6 if age < 5 else 1.3 if age >= 60 else 1.0)
        follow = 0.22 if person.conditions else 0.0
        n = _poisson(rng, (acute + follow) * weeks) if count is None else count
        out = []
        for _ in range(n):
            chronic = rng.random() * (acute + follow) < follow
            out.append(_visit(person, rng, now, _when(rng, local, span), chronic, prefix))
        return sorted(out, key=lambda v: v.admitted_at)


def _person(rng: random.Random, ward: Ward, on: date, levels: Mapping[str, int]) -> CityCitizen:
    band = bisect(_AGE_CUM, rng.random() * _AGE_CUM[-1])
    years = band * 5 + (rng.random() * 5 if band < 16 else min(rng.expovariate(1 / 6), 24.9))
    birth = on - timedelta(days=int(years * YEAR))
    sex: Sex = "male" if rng.random() < MALE_SHARE[band] else "female"
    female, age = sex == "female", int(years)
    century = 2 * ((birth.year - 1900) // 100) + female
    group = "TE" if age < 6 else "HS" if age < 18 else "HT" if age >= 60 else rng.choice(ADULT_BHYT)
    risks = _RISKS[(0 if age < 18 else 1 if age < 40 else 2 if age < 60 else 3), sex]
    conditions = tuple(
        rng.choice(CANCERS[sex]) if code == "C" else code for code, p in risks if rng.random() < p
    )
    bhxh = rng.randrange(10**10)
    family = synth.FAMILY[bisect(_FAMILY_CUM, rng.random() * _FAMILY_CUM[-1])]
    return CityCitizen(
        name=f"{family} {rng.choice(synth.MIDDLE_F if female else synth.MIDDLE_M)} "
        f"{rng.choice(synth.GIVEN_F if female else synth.GIVEN_M)}",
        birth=birth, sex=sex, province=ward.province, commune_code=ward.code,
        cccd=f"0{ward.province}{century}{birth.year % 100:02d}{rng.randrange(10**6):06d}",
        bhyt=f"{group}{levels[group]}{ward.province}{bhxh:010d}" if rng.random() < 0.93 else None,
        phone=f"0{rng.choice('3789')}{rng.randrange(10**8):08d}",
        address=f"{ward.name}, {ward.province_name}", conditions=conditions,
        declares=min(1.0, ward.engagement * (0.4 + 1.2 * rng.random())) * (0.6 if age >= 75 else 1),
    )  # fmt: skip


def _poisson(rng: random.Random, mean: float) -> int:
    k, p, limit = 0, rng.random(), math.exp(-mean)
    while p > limit:
        k, p = k + 1, p * rng.random()
    return k


def _when(rng: random.Random, now: datetime, span: int) -> datetime:
    """A clinic hour (07:00-17:00 Vietnam time) of the last span+1 days, 20 minutes before now
    at the latest."""
    d = rng.randint(0, span)
    at = datetime.combine(now.date() - timedelta(days=d), time(7), ICT)
    at += timedelta(minutes=rng.randint(0, 600))
    if at <= now - timedelta(minutes=20):
        return at
    return at - timedelta(days=1) if d < span else now - timedelta(minutes=20)


def _acute(rng: random.Random, person: CityCitizen, age: float, month: int) -> tuple[str, str]:
    def weight(who: str, w: float) -> float:
        if who == "resp":
            return w * (1.5 if 5 <= month <= 10 else 1.0) * (2.0 if age < 15 else 1.0)
        if who == "pregnancy":
            return w if person.sex == "female" and 18 <= age < 46 else 0.0
        return 0.0 if (who == "adult" and age < 16) or (who == "45+" and age < 45) else w

    code, label, _, _ = rng.choices(ACUTE, [weight(who, w) for _, _, w, who in ACUTE])[0]
    return code, label


def _visit(
    person: CityCitizen, rng: random.Random, now: datetime, at: datetime, chronic: bool, prefix: str
) -> Visit:
    age = (at.date() - person.birth).days / YEAR
    if chronic:  # a follow-up of one of their conditions, back in four weeks
        code, reason, revisit = rng.choice(person.conditions), "Tái khám định kỳ", 28
        label = LABELS[code]
    else:
        (code, label), reason = _acute(rng, person, age, at.month), "Khám bệnh"
        revisit = 28 if code.startswith(("Z34", "O")) else 0
    home = FACILITIES.get(person.province, (f"{person.province}001",))
    own = home[int(person.cccd[-3:]) % len(home)]  # where they go for follow-ups
    told = rng.random() < person.declares  # an engaged citizen gives the hospital their details
    return Visit(
        facility_code=own if chronic else rng.choice(home),
        visit_id=f"{prefix}{uuid.UUID(int=rng.getrandbits(128)).hex[:16].upper()}",
        sent_at=now,
        admitted_at=at,
        discharged_at=min(at + timedelta(minutes=rng.randint(15, 90)), now),
        patient=_patient(person, own if told and person.bhyt else None, told),
        reason=reason,
        diagnosis_discharge=label,
        main_icd10=code,
        secondary_icd10=[c for c in person.conditions if c != code][:12],
        outcome="2",
        discharge_type="1",
        vitals=_vitals(rng, person, age, fever=code.startswith("J") and not chronic, height=told),
        labs=_labs(rng, person, age),
        drugs=[_drug(code, chronic)],
        revisit_date=at.date() + timedelta(days=revisit) if revisit else None,
        advice="Tái khám đúng hẹn" if revisit else "Tái khám khi có dấu hiệu bất thường",
        doctor_code=f"BS{rng.randrange(10**6):06d}",
    )


def _drug(code: str, chronic: bool) -> Drug:
    number, name, strength = DRUGS.get(code, synth.DRUGS[2])  # else paracetamol
    days = 28 if chronic else 5
    return Drug(code=number, name=name, strength=strength, dosage=DOSAGE, quantity=2 * days)


def _patient(person: CityCitizen, initial_facility: str | None, told: bool) -> Patient:
    ids = [Identifier(type="cccd", value=person.cccd)]
    if person.bhyt:
        ids.append(Identifier(type="bhyt", value=person.bhyt))
    return Patient(
        name=person.name, identifiers=ids, birth_date=person.birth.isoformat(), sex=person.sex,
        phone=person.phone, address=person.address, commune_code=person.commune_code,
        province_code=person.province, initial_facility=initial_facility,
        ethnicity="01" if told else None, nationality="000" if told else None,  # Kinh, Việt Nam
    )  # fmt: skip


def _vitals(
    rng: random.Random, person: CityCitizen, age: float, *, fever: bool, height: bool
) -> Vitals:
    kg, cm = (62.0, 165.0) if person.sex == "male" else (53.0, 155.0)
    if age < 18:  # children grow towards it
        kg = min(kg, 3.3 + 6.5 * min(age, 1) + 2.8 * max(age - 1, 0))
        cm = min(cm, 50 + 25 * min(age, 1) + 6 * max(age - 1, 0))
    high = 22 if "I10" in person.conditions else 0
    systolic = round(min(max(rng.gauss(112 + 0.5 * max(age - 30, 0), 10) + high, 85), 210))
    return Vitals(
        weight_kg=round(max(kg * rng.gauss(1, 0.12), 2.0), 1),
        height_cm=round(cm + rng.gauss(0, 5 if age >= 18 else 3), 1) if height else None,
        systolic_mmhg=systolic if age >= 16 else None,
        diastolic_mmhg=round(systolic * 0.6 + rng.gauss(0, 5)) if age >= 16 else None,
        pulse_bpm=round(rng.gauss(78, 9) + (30 if age < 5 else 10 if age < 12 else 0)),
        temperature_c=round(rng.uniform(37.6, 39.2) if fever else rng.uniform(36.3, 37.2), 1),
    )


def _labs(rng: random.Random, person: CityCitizen, age: float) -> list[LabResult]:
    diabetic = "E11.9" in person.conditions
    if not diabetic and (age < 18 or rng.random() < 0.8):
        return []
    glucose = rng.uniform(6.5, 12) if diabetic else rng.uniform(4, 6.5)
    return [LabResult(code="GLU", name="Glucose máu", value=f"{glucose:.1f}", unit="mmol/L")]
