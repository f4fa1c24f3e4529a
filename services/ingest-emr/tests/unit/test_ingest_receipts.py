"""domain/receipts: content hashing and the new / duplicate / correction / stale decision."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from hssk_cli import synth
from hssk_ingest_emr.domain.receipts import Receipt, content_hash, decide

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


@pytest.fixture
def visit():
    person = synth.population(1, seed=11)[0]
    return synth.visit(person, random.Random(1), now=NOW, facility="01001", visit_id="LK0001")


def test_hash_is_a_sha256_hex_digest(visit):
    digest = content_hash(visit)
    assert len(digest) == 64
    assert int(digest, 16) >= 0


def test_hash_ignores_sent_at_and_revision(visit):
    resent = visit.model_copy(update={"sent_at": LATER, "revision": 3})
    assert content_hash(resent) == content_hash(visit)


@pytest.mark.parametrize(
    "change",
    [
        {"reason": "Đau đầu"},
        {"main_icd10": "E11"},
        {"visit_id": "LK0002"},
        {"discharged_at": None},
    ],
)
def test_hash_changes_with_what_the_visit_says(visit, change):
    assert content_hash(visit.model_copy(update=change)) != content_hash(visit)


def receipt(revision: int = 1, sent_at: datetime = NOW, digest: str = "a" * 64) -> Receipt:
    return Receipt(
        key="01001:LK0001",
        revision=revision,
        sent_at=sent_at,
        content_hash=digest,
        event_id="evt-00000001",
    )


def test_first_time_is_new():
    assert decide(None, 1, NOW, "a" * 64) == "new"


@pytest.mark.parametrize(
    ("revision", "sent_at"), [(1, NOW), (1, LATER), (2, LATER), (1, NOW - timedelta(days=1))]
)
def test_same_content_is_a_duplicate_whatever_revision_or_time(revision, sent_at):
    assert decide(receipt(), revision, sent_at, "a" * 64) == "duplicate"


def test_higher_revision_with_new_content_is_a_correction():
    assert decide(receipt(revision=1), 2, LATER, "b" * 64) == "correction"


def test_same_revision_sent_later_with_new_content_is_a_correction():
    assert decide(receipt(revision=1, sent_at=NOW), 1, LATER, "b" * 64) == "correction"


def test_older_revision_arriving_late_is_stale():
    # Revision 1 was sent before revision 2 but arrives after it (later receive, older content).
    assert (
        decide(receipt(revision=2, sent_at=NOW), 1, NOW - timedelta(minutes=5), "b" * 64) == "stale"
    )


def test_older_revision_is_stale_even_with_a_later_sent_at():
    assert decide(receipt(revision=2, sent_at=NOW), 1, LATER, "b" * 64) == "stale"


def test_same_revision_and_time_with_different_content_is_stale():
    assert decide(receipt(revision=1, sent_at=NOW), 1, NOW, "b" * 64) == "stale"
