"""Two records of one citizen made one, when identity merges two persons: slots joined kind by
kind (the later fact of each kind wins), visits, labs, appointments and referrals together,
reported conditions with all their visits. An unmerge is not undone here but by folding the
survivor's history again without the merge (events.fold)."""

from __future__ import annotations

from hssk_records.domain.facts import join_slots
from hssk_records.domain.record import (
    KEPT_APPOINTMENTS,
    KEPT_REFERRALS,
    KEYS_PER_ITEM,
    RECENT_ENCOUNTERS,
    RECENT_LABS,
    Record,
)


def joined(survivor: Record, merged: Record) -> Record:
    s, m = survivor, merged
    encounters = {e.key: e for e in [*m.encounters, *s.encounters]}
    appointments = {(a.visit_key, a.date): a for a in [*m.appointments, *s.appointments]}
    referrals = {r.visit_key: r for r in [*m.referrals, *s.referrals]}
    labs = {(x.visit_key, x.name, x.at): x for x in [*m.labs, *s.labs]}
    newest = max([s.medications, m.medications], key=_prescribed)
    facilities = {f: max(d, s.facilities.get(f, d)) for f, d in m.facilities.items()}
    return s.model_copy(
        update={
            "identifiers": list(
                {(i.type, i.value): i for i in [*s.identifiers, *m.identifiers]}.values()
            ),
            "admin": join_slots(s.admin, m.admin),
            "health": join_slots(s.health, m.health),
            "vitals": join_slots(s.vitals, m.vitals),
            "reported": _reported(s, m),
            "visit_fields": {**m.visit_fields, **s.visit_fields},
            "encounters": sorted(encounters.values(), key=lambda e: e.admitted_at, reverse=True)[
                :RECENT_ENCOUNTERS
            ],
            "encounter_count": s.encounter_count + m.encounter_count,
            "appointments": sorted(appointments.values(), key=lambda a: a.date)[
                -KEPT_APPOINTMENTS:
            ],
            "referrals": sorted(referrals.values(), key=lambda r: r.at)[-KEPT_REFERRALS:],
            "medications": newest,
            "labs": sorted(labs.values(), key=lambda x: x.at, reverse=True)[:RECENT_LABS],
            "facilities": {**s.facilities, **facilities},
            "merged_in": [*s.merged_in, m.person_id],
        }
    )


def _prescribed(medications: list) -> float:
    return medications[0].prescribed_at.timestamp() if medications else float("-inf")


def _reported(s: Record, m: Record) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for kind in s.reported.keys() | m.reported.keys():
        a, b = s.reported.get(kind, {}), m.reported.get(kind, {})
        items = {
            item: list(dict.fromkeys([*a.get(item, []), *b.get(item, [])]))[:KEYS_PER_ITEM]
            for item in a.keys() | b.keys()
        }
        if items:
            out[kind] = items
    return out
