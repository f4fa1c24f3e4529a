"""handlers.on_visit with the in-memory receipt store and a recording publish."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from hssk_cli import synth
from hssk_contracts import topics
from hssk_contracts.events import Source, VisitAccepted
from hssk_contracts.visit import Identifier
from hssk_ingest_emr.adapters.memory import InMemoryReceiptStore
from hssk_ingest_emr.domain.receipts import content_hash
from hssk_ingest_emr.handlers import on_visit
from hssk_kit.bus import Rejected

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
SOURCE = Source(format="json", topic=topics.EMR_VISIT.name, partition=0, offset=42)


@pytest.fixture
def visit():
    person = synth.population(1, seed=5)[0]
    return synth.visit(person, random.Random(2), now=NOW, facility="79001", visit_id="LK0042")


@pytest.fixture
def store() -> InMemoryReceiptStore:
    return InMemoryReceiptStore()


async def submit(visit, store, publish, now=NOW):
    return await on_visit(visit, SOURCE, now=now, receipts_store=store, publish=publish)


async def test_accepted_visit_publishes_one_event_and_stores_a_receipt(visit, store, publish):
    outcome = await submit(visit, store, publish)

    assert outcome.decision == "new"
    assert len(publish.sent) == 1
    topic, event = publish.sent[0]
    assert topic is topics.EMR_VISIT_ACCEPTED
    assert isinstance(event, VisitAccepted)
    assert event.event_id == outcome.event_id
    assert event.key == "79001:LK0042"
    assert event.producer == "ingest-emr"
    assert event.data.visit == visit
    assert event.data.source == SOURCE
    assert event.data.content_hash == content_hash(visit)
    stored = store.receipts["79001:LK0042"]
    assert (stored.revision, stored.sent_at, stored.content_hash, stored.event_id) == (
        1,
        NOW,
        content_hash(visit),
        outcome.event_id,
    )


async def test_same_payload_again_is_a_duplicate_and_publishes_nothing(visit, store, publish):
    first = await submit(visit, store, publish)
    publish.clear()

    again = await submit(
        visit.model_copy(update={"sent_at": NOW + timedelta(minutes=5)}), store, publish
    )

    assert again.decision == "duplicate"
    assert again.event_id == first.event_id
    assert publish.sent == []
    assert store.receipts[visit.key].sent_at == NOW


async def test_corrected_revision_is_published_with_a_new_event_id(visit, store, publish):
    first = await submit(visit, store, publish)
    corrected = visit.model_copy(
        update={"revision": 2, "sent_at": NOW + timedelta(hours=1), "main_icd10": "E11"}
    )

    outcome = await submit(corrected, store, publish, now=NOW + timedelta(hours=1))

    assert outcome.decision == "correction"
    assert outcome.event_id != first.event_id
    assert [e.event_id for _, e in publish.sent] == [first.event_id, outcome.event_id]
    assert publish.sent[1][1].data.visit.main_icd10 == "E11"
    assert store.receipts[visit.key].revision == 2
    assert store.receipts[visit.key].event_id == outcome.event_id


async def test_stale_revision_publishes_nothing_and_keeps_the_newer_receipt(visit, store, publish):
    newer = visit.model_copy(update={"revision": 2, "main_icd10": "E11"})
    accepted = await submit(newer, store, publish)
    publish.clear()
    late_old = visit.model_copy(update={"sent_at": NOW - timedelta(minutes=30)})

    outcome = await submit(late_old, store, publish)

    assert outcome.decision == "stale"
    assert outcome.event_id == accepted.event_id
    assert publish.sent == []
    assert store.receipts[visit.key].revision == 2


async def test_invalid_visit_is_rejected_naming_fields_and_nothing_happens(visit, store, publish):
    bad = visit.model_copy(
        update={
            "patient": visit.patient.model_copy(
                update={"identifiers": [Identifier(type="cccd", value="12345")]}
            ),
            "admitted_at": NOW + timedelta(days=2),
            "discharged_at": None,
        }
    )

    with pytest.raises(Rejected) as caught:
        await submit(bad, store, publish)

    fields = {(p.field, p.rule) for p in caught.value.problems}
    assert fields == {
        ("patient.identifiers.0.value", "cccd_format"),
        ("admitted_at", "date_in_future"),
    }
    assert "patient.identifiers.0.value" in str(caught.value)
    assert publish.sent == []
    assert store.receipts == {}


async def test_event_id_is_deterministic_for_the_same_content(visit, publish):
    a = await submit(visit, InMemoryReceiptStore(), publish)
    b = await submit(
        visit.model_copy(update={"sent_at": NOW + timedelta(days=1)}),
        InMemoryReceiptStore(),
        publish,
        now=NOW + timedelta(days=1),
    )
    other = await submit(
        visit.model_copy(update={"reason": "Sốt"}), InMemoryReceiptStore(), publish
    )

    assert a.event_id == b.event_id
    assert other.event_id != a.event_id


async def test_cccd_mismatch_is_accepted_with_the_warning_attached(visit, store, publish):
    cccd = next(i.value for i in visit.patient.identifiers if i.type == "cccd")
    flipped = cccd[:3] + str(int(cccd[3]) ^ 1) + cccd[4:]  # other sex, same century
    mismatched = visit.model_copy(
        update={
            "patient": visit.patient.model_copy(
                update={"identifiers": [Identifier(type="cccd", value=flipped)]}
            )
        }
    )

    outcome = await submit(mismatched, store, publish)

    assert outcome.decision == "new"
    assert [w.rule for w in outcome.warnings] == ["cccd_sex_mismatch"]
    assert [w.rule for w in publish.sent[0][1].data.warnings] == ["cccd_sex_mismatch"]
