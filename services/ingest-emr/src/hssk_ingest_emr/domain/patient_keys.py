"""Whose data a hospital message holds, as identifier match keys ("cccd:...", "bhxh:..."), read
as far as the message allows. An operator reads a dead letter before identity ever resolved
its patient; the keys let that read still reach the citizen's access log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hssk_contracts import identifiers as ids


def keys_of(identifiers: Iterable[Any]) -> tuple[str, ...]:
    """Match keys of identifiers given as models or dicts with `type` and `value`."""
    pairs = []
    for i in identifiers:
        kind = i.get("type") if isinstance(i, Mapping) else getattr(i, "type", None)
        value = i.get("value") if isinstance(i, Mapping) else getattr(i, "value", None)
        if isinstance(kind, str) and isinstance(value, str):
            pairs.append((kind, ids.normalise(kind, value)))
    return tuple(ids.match_keys(pairs))


def keys_of_xml1(row: Mapping[str, str]) -> tuple[str, ...]:
    """From a QĐ 130 XML1 row (SO_CCCD, MA_THE_BHYT; 4210's MA_THE), even a refused one."""
    found = []
    document = (row.get("SO_CCCD") or "").strip()
    try:
        found.append({"type": ids.infer_document_type(document), "value": document})
    except ValueError:  # empty, or no document number at all
        pass
    for card in ids.split_cards(row.get("MA_THE_BHYT") or row.get("MA_THE") or ""):
        found.append({"type": "bhyt", "value": card})
    return keys_of(found)


def keys_of_envelope(doc: Any) -> tuple[str, ...]:
    """From a canonical JSON event (`data.patient.identifiers`), however malformed the rest."""
    try:
        return keys_of(doc["data"]["patient"]["identifiers"])
    except (KeyError, TypeError):
        return ()
