"""hssk_cli.city: a synthetic city of real wards whose people look like Viet Nam's (age pyramid,
chronic conditions) and whose visits are valid canonical visits of a plausible mix."""

from __future__ import annotations

import json
import random
import re
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import vietnam_provinces

from hssk_cli import city
from hssk_contracts import identifiers
from hssk_contracts.visit import Visit

ON = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
PYRAMID = (7.3, 7.9, 8.1, 7.0, 6.8, 7.4, 8.3, 8.1, 7.6, 7.0, 6.2, 5.6, 4.6, 3.6, 2.5, 1.6, 1.4)
SENSITIVE = re.compile(r"^(B2[0-4]|Z21|A1[5-9])")
ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")


def age(person: city.CityCitizen, on: date = ON) -> int:
    return (
        on.year - person.birth.year - ((on.month, on.day) < (person.birth.month, person.birth.day))
    )


@pytest.fixture(scope="module")
def town() -> city.City:
    return city.City.of(2026, on=ON)


@pytest.fixture(scope="module")
def people(town: city.City) -> list[city.CityCitizen]:
    return town.citizens(50_000)


@pytest.fixture(scope="module")
def visits(town: city.City, people: list[city.CityCitizen]) -> list[tuple[city.CityCitizen, Visit]]:
    rng = random.Random(5)
    return [(p, v) for p in people[:4_000] for v in town.visits(p, rng, now=NOW, weeks=8)]


def package_communes() -> dict[int, set[str]]:
    provinces = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text("utf-8"))
    return {p["code"]: {f"{w['code']:05d}" for w in p["wards"]} for p in provinces}


def test_the_same_seed_gives_the_same_citizens_and_a_larger_n_extends_them() -> None:
    a, b = city.City.of(7, wards=4, on=ON), city.City.of(7, wards=4, on=ON)
    assert a == b
    assert a.citizens(300) == b.citizens(300)
    assert a.citizens(300)[:100] == a.citizens(100)
    assert city.City.of(8, wards=4, on=ON).citizens(100) != a.citizens(100)


def test_wards_are_real_communes_of_hanoi_and_hcm(
    town: city.City, people: list[city.CityCitizen]
) -> None:
    real = package_communes()
    assert len(real[1]) == 126 and len(real[79]) == 168
    assert Counter(w.province for w in town.wards) == {"01": 126, "79": 168}
    for w in town.wards:
        assert w.code in real[int(w.province)] and w.weight > 0
    six = city.City.of(2026, wards=6, on=ON)
    assert Counter(w.province for w in six.wards) == {"01": 3, "79": 3}
    assert len({w.code for w in six.wards}) == 6
    codes = {w.code: w for w in town.wards}
    for p in people:
        ward = codes[p.commune_code]
        assert p.province == ward.province
        assert p.address == f"{ward.name}, {ward.province_name}"
    assert {p.commune_code for p in six.citizens(2_000)} == {w.code for w in six.wards}


def test_an_unknown_province_is_refused() -> None:
    with pytest.raises(ValueError, match="99"):
        city.City.of(1, provinces=("99",))


def test_ages_follow_viet_nams_pyramid_and_old_women_outnumber_old_men(
    people: list[city.CityCitizen],
) -> None:
    bands = Counter(min(age(p) // 5, 16) for p in people)
    total = sum(PYRAMID)
    for band, share in enumerate(PYRAMID):
        assert abs(100 * bands[band] / len(people) - 100 * share / total) < 1.0, band
    men = sum(p.sex == "male" for p in people)
    assert 0.94 < men / (len(people) - men) < 1.02
    old = Counter(p.sex for p in people if age(p) >= 70)
    assert old["female"] > 1.3 * old["male"]


def test_chronic_conditions_have_plausible_prevalences(people: list[city.CityCitizen]) -> None:
    def share(code: str, lo: int, hi: int) -> float:
        group = [p for p in people if lo <= age(p) < hi]
        return sum(any(c.startswith(code) for c in p.conditions) for p in group) / len(group)

    assert 0.35 <= share("I10", 60, 200) <= 0.55
    assert 0.03 <= share("I10", 18, 40) <= 0.07
    assert 0.18 <= share("I10", 40, 60) <= 0.32
    assert 0.10 <= share("E11", 60, 200) <= 0.20
    assert share("I10", 0, 18) == 0 and share("E11", 0, 18) == 0
    assert 0.015 <= share("J45", 0, 18) <= 0.045
    women_cancers = {c for p in people if p.sex == "female" for c in p.conditions if c[0] == "C"}
    assert "C50.9" in women_cancers
    assert not any(c.startswith("C50") for p in people if p.sex == "male" for c in p.conditions)


def test_no_hiv_or_tb_code_is_ever_generated(
    people: list[city.CityCitizen], visits: list[tuple[city.CityCitizen, Visit]]
) -> None:
    assert not [c for p in people for c in p.conditions if SENSITIVE.match(c)]
    codes = [c for _, v in visits for c in [v.main_icd10, *v.secondary_icd10] if c]
    assert codes and not [c for c in codes if SENSITIVE.match(c)]


def test_personal_ids_agree_with_birth_year_sex_and_province(
    people: list[city.CityCitizen],
) -> None:
    for p in people:
        female = p.sex == "female"
        assert p.cccd[:3] == f"0{p.province}" and len(p.cccd) == 12 and p.cccd.isdigit()
        assert int(p.cccd[3]) == (0 if p.birth.year < 2000 else 2) + female
        assert p.cccd[4:6] == f"{p.birth.year % 100:02d}"
        assert identifiers.cccd_consistency(p.cccd, p.birth.year, p.sex) == []
        if p.bhyt:
            assert identifiers.bhyt_format(p.bhyt) is None and p.bhyt[3:5] == p.province
            assert identifiers.bhyt_level_consistency(p.bhyt, ON) is None
    assert 0.88 < sum(p.bhyt is not None for p in people) / len(people) < 0.97
    assert len({p.cccd for p in people}) > 0.99 * len(people)


def test_declaring_varies_between_citizens(people: list[city.CityCitizen]) -> None:
    declares = [p.declares for p in people]
    assert all(0 <= d <= 1 for d in declares)
    assert statistics.pstdev(declares) > 0.1


def test_every_visit_is_a_valid_visit_inside_the_window(
    visits: list[tuple[city.CityCitizen, Visit]],
) -> None:
    assert 4_000 < len(visits) < 8_000  # about 1-2 visits per citizen in 8 weeks
    assert len({v.key for _, v in visits}) == len(visits)
    for p, v in visits:
        assert Visit.model_validate(v.model_dump()) == v
        assert v.main_icd10 and ICD10.match(v.main_icd10)
        assert NOW - timedelta(weeks=8) < v.admitted_at <= NOW
        assert v.discharged_at and v.admitted_at < v.discharged_at <= NOW
        assert v.admitted_at.date() >= p.birth
        assert v.facility_code.startswith(p.province) and len(v.facility_code) == 5
        assert v.patient.commune_code == p.commune_code
        assert v.patient.identifiers[0].value == p.cccd
        assert set(v.secondary_icd10) <= set(p.conditions)


def test_pregnancy_visits_are_for_women_of_18_to_45_only(
    visits: list[tuple[city.CityCitizen, Visit]],
) -> None:
    pregnant = [(p, v) for p, v in visits if v.main_icd10 and v.main_icd10[:1] in "OZ"]
    assert pregnant
    for p, v in pregnant:
        assert p.sex == "female" and 18 <= age(p, v.admitted_at.date()) <= 45
        assert v.revisit_date is not None


def test_chronic_follow_ups_and_hypertensives_blood_pressure(
    visits: list[tuple[city.CityCitizen, Visit]],
) -> None:
    follow_ups = [(p, v) for p, v in visits if v.main_icd10 in p.conditions]
    assert len(follow_ups) > 0.15 * len(visits)
    assert all(v.revisit_date and v.revisit_date > v.admitted_at.date() for _, v in follow_ups)
    mains = Counter(v.main_icd10 for _, v in visits)
    assert {"I10", "E11.9", "J06.9", "K29.7", "M54.5", "K02.9"} <= set(mains)
    assert any(c and c[0] in "ST" for c in mains) and any(c and c[0] == "H" for c in mains)

    def systolic(hypertensive: bool) -> float:
        return statistics.mean(
            v.vitals.systolic_mmhg
            for p, v in visits
            if v.vitals.systolic_mmhg and ("I10" in p.conditions) == hypertensive
        )

    assert systolic(True) > systolic(False) + 15


def test_more_respiratory_infections_in_the_rainy_months(people: list[city.CityCitizen]) -> None:
    town = city.City.of(2026, on=ON)

    def respiratory(now: datetime) -> float:
        rng = random.Random(3)
        mains = [v.main_icd10 or "" for p in people[:3_000] for v in town.visits(p, rng, now=now)]
        return sum(m[:3] in {"J00", "J02", "J06", "J20"} for m in mains) / len(mains)

    assert respiratory(datetime(2026, 9, 30, tzinfo=UTC)) > respiratory(
        datetime(2026, 3, 31, tzinfo=UTC)
    )


def test_visits_are_deterministic_from_the_rng_and_count_is_obeyed(
    town: city.City, people: list[city.CityCitizen]
) -> None:
    person = next(p for p in people if age(p) > 30)
    first = town.visits(person, random.Random(9), now=NOW, count=5)
    assert first == town.visits(person, random.Random(9), now=NOW, count=5)
    assert len(first) == 5
    assert [v.admitted_at for v in first] == sorted(v.admitted_at for v in first)
    newborn = city.CityCitizen(**{**vars(person), "birth": NOW.date()})
    assert town.visits(newborn, random.Random(9), now=NOW, count=3) == []
