"""domain/record.apply_visit: versions, replays, stale and revised visits, demographics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hssk_contracts.visit import Identifier, Patient, Visit
from hssk_records.domain.record import apply_visit

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
PID = "person-0001"


def make_visit(
    visit_id: str = "LK1",
    *,
    revision: int = 1,
    sent_at: datetime = NOW,
    admitted_at: datetime = NOW - timedelta(days=1),
    reason: str = "Khám định kỳ",
    identifiers: tuple[tuple[str, str], ...] = (("cccd", "001090012345"),),
    **patient: object,
) -> Visit:
    fields = {"name": "Nguyễn Văn An", "sex": "male", **patient}
    return Visit(
        facility_code="01001",
        visit_id=visit_id,
        revision=revision,
        sent_at=sent_at,
        admitted_at=admitted_at,
        reason=reason,
        patient=Patient(
            identifiers=[Identifier(type=t, value=v) for t, v in identifiers], **fields
        ),
    )


def apply(record, visit, digest):
    return apply_visit(record, PID, visit, digest)


def test_first_visit_creates_the_record_at_version_1():
    v = make_visit(phone="0912345678")
    out = apply(None, v, "h1")

    assert out.kind == "visit_added"
    assert out.record is not None
    assert (out.record.person_id, out.record.version) == (PID, 1)
    assert list(out.record.visits) == ["01001:LK1"]
    entry = out.record.visits["01001:LK1"]
    assert out.entry == entry
    assert (entry.revision, entry.content_hash, entry.applied_version, entry.visit) == (
        1,
        "h1",
        1,
        v,
    )
    assert out.record.demographics.name == "Nguyễn Văn An"
    assert out.record.demographics.phone == "0912345678"
    assert out.record.demographics.sex == "male"


def test_second_visit_is_added_at_version_2():
    first = apply(None, make_visit("LK1"), "h1").record
    out = apply(first, make_visit("LK2"), "h2")

    assert out.kind == "visit_added"
    assert out.record.version == 2
    assert sorted(out.record.visits) == ["01001:LK1", "01001:LK2"]
    assert out.record.visits["01001:LK2"].applied_version == 2
    assert out.record.visits["01001:LK1"].applied_version == 1


def test_same_content_hash_again_is_replayed_with_the_stored_entry():
    stored = apply(None, make_visit(), "h1").record
    out = apply(stored, make_visit(sent_at=NOW + timedelta(hours=1)), "h1")

    assert out.kind == "replayed"
    assert out.record is None
    assert out.entry == stored.visits["01001:LK1"]


def test_older_revision_is_stale():
    stored = apply(None, make_visit(revision=2, reason="Sốt cao"), "h2").record
    out = apply(stored, make_visit(revision=1, sent_at=NOW + timedelta(minutes=5)), "h1")

    assert out.kind == "stale"
    assert out.record is None
    assert out.entry.revision == 2


def test_newer_revision_replaces_the_entry_instead_of_adding_one():
    stored = apply(None, make_visit(), "h1").record
    out = apply(
        stored, make_visit(revision=2, sent_at=NOW + timedelta(hours=1), reason="Sốt cao"), "h2"
    )

    assert out.kind == "visit_revised"
    assert out.record.version == 2
    assert list(out.record.visits) == ["01001:LK1"]
    entry = out.record.visits["01001:LK1"]
    assert (entry.revision, entry.content_hash, entry.visit.reason) == (2, "h2", "Sốt cao")
    assert entry.applied_version == 2


def test_latest_visit_non_empty_demographics_win_and_empty_ones_are_kept():
    old = make_visit(
        "LK1",
        admitted_at=NOW - timedelta(days=10),
        phone="0900000001",
        address="Phường Ba Đình, Hà Nội",
        occupation="Giáo viên",
    )
    new = make_visit(
        "LK2",
        admitted_at=NOW - timedelta(days=1),
        phone="0900000002",
        sex="unknown",
        blood_group="O+",
        identifiers=(("cccd", "001090012345"), ("bhyt", "DN4010123456789")),
    )
    record = apply(apply(None, old, "h1").record, new, "h2").record

    d = record.demographics
    assert d.phone == "0900000002"
    assert d.blood_group == "O+"
    assert d.address == "Phường Ba Đình, Hà Nội"  # the newer visit left it empty
    assert d.occupation == "Giáo viên"
    assert d.sex == "male"  # "unknown" does not erase a known sex
    assert [(i.type, i.value) for i in d.identifiers] == [
        ("cccd", "001090012345"),
        ("bhyt", "DN4010123456789"),
    ]


def test_an_older_visit_arriving_later_does_not_overwrite_newer_demographics():
    new = make_visit(
        "LK2", admitted_at=NOW - timedelta(days=1), phone="0900000002", address="Phường Sài Gòn"
    )
    old = make_visit(
        "LK1",
        admitted_at=NOW - timedelta(days=30),
        phone="0900000001",
        address="Phường Ba Đình",
        name="Nguyễn Văn Ân",
        identifiers=(("cccd", "001090012345"), ("cmnd", "123456789")),
    )
    out = apply(apply(None, new, "h2").record, old, "h1")

    assert out.kind == "visit_added"
    assert out.record.version == 2
    d = out.record.demographics
    assert (d.name, d.phone, d.address) == ("Nguyễn Văn An", "0900000002", "Phường Sài Gòn")
