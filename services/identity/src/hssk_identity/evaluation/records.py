"""Labelled records: each citizen as 1-4 sources send them (hospital visits, the BHYT list, the
ward list), with the errors those sources make. Every record carries its citizen's label and the
names of the perturbations applied to it."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from hssk_identity.evaluation import name_tables as tables
from hssk_identity.evaluation import text
from hssk_identity.evaluation.name_tables import PHONE_PREFIXES
from hssk_identity.evaluation.population import Citizen, Population
from hssk_identity.evaluation.profiles import STANDARD, Profile

Rates = Mapping[str, float]
RECORDS_PER_CITIZEN = {1: 35, 2: 30, 3: 20, 4: 15}
# Which identifier a record carries. "none" and "cmnd" (an old record with the expired CMND,
# which other sources do not send) leave the record to the probabilistic matcher.
PROFILES = {"cccd": 35, "bhyt": 20, "cmnd": 10, "none": 35}
# The 2018 mobile move backwards: a new prefix as an old record still has it (docs/domain.md).
OLD_MOBILE = {
    "32": "162", "33": "163", "34": "164", "35": "165", "36": "166", "37": "167", "38": "168",
    "39": "169", "70": "120", "76": "126", "77": "122", "81": "127",
}  # fmt: skip
# tone_placement applies only to names with an open oa/oe/uy syllable (Hòa, Thủy).


@dataclass(frozen=True)
class Record:
    record_id: str
    label: str
    household: str
    source: str  # visit | bhyt_list | ward_list
    name: str
    birth_date: str | None
    sex: str
    phone: str | None
    commune_code: str | None
    address: str | None
    identifiers: tuple[tuple[str, str], ...]
    perturbations: tuple[str, ...]


def labelled_records(people: Population, seed: int, profile: Profile = STANDARD) -> list[Record]:
    """Records in generation order (citizen by citizen); the same seed gives the same records."""
    rng = random.Random(f"{seed}/records")
    phones = {h.household_id: h.phone for h in people.households}
    out: list[Record] = []
    for citizen in people.citizens:
        count = rng.choices(list(RECORDS_PER_CITIZEN), list(RECORDS_PER_CITIZEN.values()))[0]
        for _ in range(count):
            record_id = f"R{len(out) + 1:06d}"
            out.append(_record(rng, citizen, phones[citizen.household], record_id, profile.rates))
    return out


def _record(
    rng: random.Random, c: Citizen, household_phone: str, record_id: str, rates: Rates
) -> Record:
    tags: list[str] = []
    identifiers, source = _identifiers(rng, c, tags, rates)
    phone: str | None = household_phone if source == "ward_list" else c.phone
    if source == "bhyt_list" or rng.random() < 0.1:
        phone = None
    if phone and _hit(rng, "phone_changed", rates):
        phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10**7):07d}"
        tags.append("phone_changed")
    elif phone and _hit(own := random.Random(f"{record_id}:phone"), "phone_written", rates):
        phone = _written(own, phone)  # its own draws: every other perturbation stays as it was
        tags.append("phone_written")
    sex = "unknown" if _hit(rng, "sex_unknown", rates) else c.sex
    commune, address = c.commune_code, c.address
    moved = random.Random(f"{record_id}:moved")  # its own draws, as phone_written
    if source != "ward_list" and _hit(moved, "moved", rates):
        commune, ward = moved.choice([w for w in tables.WARDS if w[0] != c.commune_code])
        address = f"Số {moved.randint(1, 120)} {moved.choice(tables.STREETS)}, {ward}"
        tags.append("moved")
    if sex == "unknown":
        tags.append("sex_unknown")
    return Record(
        record_id=record_id,
        label=c.label,
        household=c.household,
        source=source,
        name=_name(rng, c, tags, rates),
        birth_date=_birth(rng, c, tags, rates),
        sex=sex,
        phone=phone,
        commune_code=commune if source == "ward_list" or rng.random() < 0.9 else None,
        address=address if source == "ward_list" or rng.random() < 0.7 else None,
        identifiers=identifiers,
        perturbations=tuple(tags),
    )


def _written(rng: random.Random, phone: str) -> str:
    """The same number as another source writes it: international, spaced, or (for a prefix
    that moved in 2018) with its old eleven-digit prefix."""
    national = phone[1:]  # without the trunk 0
    old = OLD_MOBILE.get(national[:2])
    ways = [f"+84 {national[:2]} {national[2:5]} {national[5:]}", f"84{national}",
            f"{phone[:4]}.{phone[4:7]}.{phone[7:]}"]  # fmt: skip
    if old:
        ways.append(f"0{old}{national[2:]}")
    return rng.choice(ways)


def _identifiers(
    rng: random.Random, c: Citizen, tags: list[str], rates: Rates
) -> tuple[tuple[tuple[str, str], ...], str]:
    profile = rng.choices(list(PROFILES), list(PROFILES.values()))[0]
    if (profile == "bhyt" and not c.bhyt) or (profile == "cmnd" and not c.cmnd):
        profile = "none"
    tags.append(f"id:{profile}")
    if profile == "bhyt":
        return (("bhyt", str(c.bhyt)),), "bhyt_list"
    if profile == "cmnd":
        return (("cmnd", str(c.cmnd)),), "visit"
    if profile == "none":
        return (), rng.choices(["ward_list", "visit"], [60, 40])[0]
    cccd = c.cccd
    if _hit(rng, "cccd_typo", rates):
        at = rng.randrange(6, 12)  # the random block, so the number still looks consistent
        cccd = cccd[:at] + rng.choice([d for d in "0123456789" if d != cccd[at]]) + cccd[at + 1 :]
        tags.append("cccd_typo")
    card = (("bhyt", c.bhyt),) if c.bhyt and rng.random() < 0.6 else ()
    return (("cccd", cccd), *card), "visit"


def _name(rng: random.Random, c: Citizen, tags: list[str], rates: Rates) -> str:
    middle = list(c.middle)
    if middle and _hit(rng, "middle_dropped", rates):
        middle = [] if len(middle) == 1 or rng.random() < 0.5 else middle[:1]
        tags.append("middle_dropped")
    elif (not middle or (c.sex == "female" and middle[0] != "Thị")) and _hit(
        rng, "middle_added", rates
    ):
        middle = ["Thị" if c.sex == "female" else "Văn", *middle]
        tags.append("middle_added")
    words = [c.family, *middle, c.given]
    if _hit(rng, "name_typo", rates):
        at = rng.choices(range(len(words)), [1] + [3] * (len(words) - 2) + [6])[0]
        words[at] = text.typo(rng, words[at])
        tags.append("name_typo")
    if _hit(rng, "tone_only", rates):
        toned = [i for i, w in enumerate(words) if text.split_tone(w)[1]]
        if toned:
            at = rng.choice(toned)
            words[at] = text.change_tone(rng, words[at]) or words[at]
            tags.append("tone_only")
    flipped = [text.flip_tone_placement(w) for w in words]
    if flipped != words and _hit(rng, "tone_placement", rates):
        words = flipped
        tags.append("tone_placement")
    if _hit(rng, "given_first", rates):  # first name and last name fields, glued: "Văn Hùng Nguyễn"
        words = words[1:] + words[:1]
        tags.append("given_first")
    return _surface(rng, " ".join(words), tags, rates)


def _surface(rng: random.Random, name: str, tags: list[str], rates: Rates) -> str:
    """How the name's bytes reach us: upper case, stripped of diacritics, or as mojibake."""
    if _hit(rng, "upper_case", rates):
        name = name.upper()
        tags.append("upper_case")
    if _hit(rng, "no_diacritics", rates):
        tags.append("no_diacritics")
        return text.strip_diacritics(name)
    if _hit(rng, "mojibake", rates):
        tcvn3 = text.tcvn3_mojibake(name) if rng.random() < 0.5 else None
        tags.append("mojibake_tcvn3" if tcvn3 else "mojibake_vni")
        return tcvn3 or text.vni_mojibake(name)
    return name


def _birth(rng: random.Random, c: Citizen, tags: list[str], rates: Rates) -> str:
    if c.precision == "year":
        return c.birth_text
    if _hit(rng, "year_only", rates):
        tags.append("year_only")
        return f"{c.birth.year:04d}"
    born = c.birth
    if born.day <= 12 and born.day != born.month and _hit(rng, "day_month_swap", rates):
        tags.append("day_month_swap")
        return date(born.year, born.day, born.month).isoformat()
    if _hit(rng, "date_typo", rates):
        tags.append("date_typo")
        return _digit_typo(rng, born).isoformat()
    return born.isoformat()


def _digit_typo(rng: random.Random, born: date) -> date:
    """One wrong digit in the day, the month or the last two digits of the year."""
    digits = born.strftime("%d%m%Y")
    for _ in range(50):
        at = rng.choice([0, 1, 2, 3, 6, 7])
        typed = digits[:at] + rng.choice("0123456789") + digits[at + 1 :]
        try:
            candidate = date(int(typed[4:]), int(typed[2:4]), int(typed[:2]))
        except ValueError:
            continue
        if candidate != born:
            return candidate
    return date(born.year + 1, born.month, min(born.day, 28))


def _hit(rng: random.Random, perturbation: str, rates: Rates) -> bool:
    return rng.random() < rates[perturbation]
