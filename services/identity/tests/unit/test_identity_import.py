"""The bulk import (bulk_import/importing.py) over the in-memory fakes: outcomes, rejections,
header errors, batches, retries, and resuming after a crash."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hssk_contracts import topics
from hssk_contracts.events import PersonCreated, PersonUpdated
from hssk_identity.adapters.memory import (
    InMemoryBlockIndex,
    InMemoryCareRelations,
    InMemoryDecisionLog,
    InMemoryMergeLog,
    InMemoryPersonRepository,
    InMemoryReviewQueue,
)
from hssk_identity.bulk_import import importing as bulk_import
from hssk_identity.bulk_import.files import (
    COLUMNS,
    HeaderError,
    ResumeError,
    checkpoint_path,
    outcomes_path,
    parse_row,
    read_header,
)
from hssk_identity.handlers import Index, resolve
from hssk_identity.ports import Holding
from hssk_kit.fakes import RecordingPublish

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
HEADER = list(COLUMNS)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng"]
MIDDLE = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Công"]
GIVEN = ["An", "Bình", "Dũng", "Hải", "Hùng", "Long", "Nam", "Quang", "Sơn", "Tuấn", "Khoa"]


class Crash(Exception):
    pass


def new_index(persons: InMemoryPersonRepository | None = None) -> Index:
    return Index(
        persons=persons or InMemoryPersonRepository(),
        blocks=InMemoryBlockIndex(),
        reviews=InMemoryReviewQueue(),
        merges=InMemoryMergeLog(),
        decisions=InMemoryDecisionLog(),
        care=InMemoryCareRelations(),
    )


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def outcomes(path: Path) -> list[dict[str, str]]:
    with outcomes_path(path).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


async def run(path: Path, index: Index, publish, **options) -> bulk_import.Ledger:
    return await bulk_import.import_file(
        path, source="bhyt-2026", index=index, publish=publish, clock=lambda: NOW, **options
    )


def decided(path: Path) -> list[tuple[str, ...]]:
    """Each row's outcome, person and review (a replayed link may name another `matched on`)."""
    return [(r["row_id"], r["outcome"], r["person_id"], r["review_id"]) for r in outcomes(path)]


def totals(ledger: bulk_import.Ledger) -> list[str]:
    """The IMPORT line without its timing."""
    return ledger.summary().split()[:6]


def citizen(i: int, **changes: str) -> list[str]:
    """A distinct citizen per i: name, birth date, personal ID, card and phone vary with i."""
    row = {
        "row_id": f"r{i}",
        "name": f"{FAMILY[i % 8]} {MIDDLE[i // 8 % 6]} {GIVEN[i // 48 % 11]}",
        "birth_date": f"{1950 + i % 60}-0{1 + i % 9}-1{i % 9}",
        "sex": "nam",
        "cccd": f"0010{50 + i % 50:02d}{i:06d}",
        "bhyt": f"DN401{i:010d}",
        "cmnd": "",
        "phone": f"09{i:08d}",
        "commune_code": "00001",
        "address": "Phường Ba Đình",
    }
    return [{**row, **changes}[column] for column in HEADER]


def near_match(i: int, row_id: str) -> list[str]:
    """Citizen i as a ward list may have them: name, sex and birth year, and an old ID card."""
    blanks = dict.fromkeys(("cccd", "bhyt", "phone", "commune_code", "address"), "")
    year = str(1950 + i % 60)
    return citizen(i, row_id=row_id, cmnd=f"{100000000 + i}", birth_date=year, **blanks)


def mixed_rows(n: int) -> list[list[str]]:
    """Created rows, and every 10 rows one linked (a repeated personal ID with a new card), one
    review (the same person by name and birth year, with only an old ID card) and one rejected."""
    rows = []
    for i in range(n):
        if i % 10 == 3:
            rows.append(citizen(i - 1, row_id=f"r{i}", bhyt=f"HN201{i:010d}"))
        elif i % 10 == 6:
            rows.append(near_match(i - 2, f"r{i}"))
        elif i % 10 == 8:
            rows.append(citizen(i, cccd=str(i)))
        else:
            rows.append(citizen(i))
    return rows


async def test_rows_are_created_linked_or_rejected_and_bad_rows_do_not_abort(tmp_path, publish):
    path = write_csv(
        tmp_path / "list.csv",
        [
            citizen(1),
            citizen(2, cccd="12"),
            citizen(1, row_id="r1-again", bhyt="HN2010000009999"),  # same personal ID, a new card
            citizen(3, birth_date="1990-02-30"),
            citizen(4),
        ],
    )

    ledger = await run(path, new_index(), publish)

    rows = outcomes(path)
    assert [(r["row_id"], r["outcome"]) for r in rows] == [
        ("r1", "created"),
        ("r2", "rejected"),
        ("r1-again", "linked"),
        ("r3", "created"),  # 30 February: registered, with a warning
        ("r4", "created"),
    ]
    assert rows[2]["person_id"] == rows[0]["person_id"] != rows[4]["person_id"]
    assert rows[2]["reason"] == "matched on cccd"
    assert rows[1]["reason"] == "cccd: cccd_format: personal ID '12' must be exactly 12 digits"
    assert rows[3]["reason"].startswith("warning: birth date '1990-02-30' does not exist")
    assert rows[1]["person_id"] == "" != rows[3]["person_id"]
    assert [(t, type(e), e.key) for t, e in publish.sent] == [
        (topics.IDENTITY_PERSON, PersonCreated, rows[0]["person_id"]),
        (topics.IDENTITY_PERSON, PersonUpdated, rows[0]["person_id"]),
        (topics.IDENTITY_PERSON, PersonCreated, rows[3]["person_id"]),
        (topics.IDENTITY_PERSON, PersonCreated, rows[4]["person_id"]),
    ]
    assert ledger.summary().startswith(
        "IMPORT rows=5 created=3 linked=1 review=0 rejected=1 seconds="
    )


async def test_a_near_match_with_only_an_old_id_card_opens_a_review(tmp_path, publish):
    path = write_csv(tmp_path / "ward.csv", [citizen(1), near_match(1, "w1")])

    await run(path, new_index(), publish)

    created, review = outcomes(path)
    assert review["outcome"] == "review" and review["review_id"]
    assert review["person_id"] not in ("", created["person_id"])
    assert review["reason"].startswith("score ")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"cccd": "0010 9001 2345 6"}, "cccd: cccd_format: "),
        ({"bhyt": "DN4010000000001;XX"}, "bhyt: bhyt_format: BHYT card 'XX' must match"),
        ({"cmnd": "1234"}, "cmnd: cmnd_format: "),
        ({"birth_date": "01/05/1990"}, "birth_date: birth_date_invalid: "),
        ({"sex": "m"}, "sex: sex_invalid: "),
        ({"name": "  "}, "name: name_invalid: "),
        ({"row_id": ""}, "row_id: row_id_invalid: "),
        ({"phone": "12345"}, "phone: phone_format: "),
        ({"commune_code": "1"}, "commune_code: commune_code_format: "),
        ({"address": "x" * 501}, "address: address_too_long: "),
    ],
)
def test_a_bad_field_rejects_the_row_naming_field_and_rule(changes, reason):
    _, parsed = parse_row(COLUMNS, citizen(1, **changes))
    assert str(parsed).startswith(reason)


def test_accepted_spellings_are_normalised():
    _, query = parse_row(
        COLUMNS,
        citizen(
            1,
            sex="Nữ",
            cccd="001-050-000001",
            bhyt=" DN4010000000001 ; hn2010000000002;",
            phone="090 123 4567",
            birth_date="1951-03",
        ),
    )
    assert not isinstance(query, Exception)
    assert (query.sex, query.phone, query.birth_date) == ("female", "0901234567", "1951-03")
    assert [(i.type, i.value) for i in query.identifiers] == [
        ("cccd", "001050000001"),
        ("bhyt", "DN4010000000001"),
        ("bhyt", "HN2010000000002"),
    ]


def test_a_row_with_more_or_fewer_fields_than_the_header_is_rejected():
    too_many = parse_row(("row_id", "name"), ["r1", "An", "x"])
    assert too_many[0] == "r1"
    assert str(too_many[1]) == "row: field_count: 3 fields where the header has 2"
    assert str(parse_row(("row_id", "name"), ["r1"])[1]).startswith("row: field_count: ")


async def test_missing_optional_columns_are_fine_and_blank_lines_are_skipped(tmp_path, publish):
    path = tmp_path / "short.csv"
    path.write_text("\ufeffname,row_id\nTrần Thị Mai,m1\n\n,\nLê Văn Nam,m2\n", encoding="utf-8")

    ledger = await run(path, new_index(), publish)

    assert [(r["row_id"], r["outcome"]) for r in outcomes(path)] == [
        ("m1", "created"),
        ("m2", "created"),
    ]
    assert json.loads(checkpoint_path(path).read_text())["rows"] == 4  # blank lines count too
    assert ledger.rows == 2


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["row_id", "name", "email", "Cccd", "ward"], "unknown column(s): 'email', 'ward'"),
        (["row_id", "cccd"], "required column(s) missing: name"),
        (["row_id", "name", "name"], "given more than once: name"),
        ([], "no header row"),
    ],
)
async def test_header_errors_name_the_column_and_write_nothing(tmp_path, publish, header, message):
    path = tmp_path / "bad.csv"
    path.write_text(",".join(header) + "\n" if header else "", encoding="utf-8")

    with pytest.raises(HeaderError) as raised:
        await run(path, new_index(), publish)

    assert message in str(raised.value)
    assert not outcomes_path(path).exists() and not checkpoint_path(path).exists()


def test_the_command_reports_a_header_error_before_connecting(tmp_path, capsys):
    path = write_csv(tmp_path / "bad.csv", [], header=["row_id", "name", "email"])
    nowhere = bulk_import.Engines("mongodb://unused.invalid:1/", "unused.invalid:1")

    code = bulk_import.main(path, source=None, restart=False, batch=500, to=nowhere)

    assert code == 2
    assert "unknown column(s): 'email'" in capsys.readouterr().err


def test_header_names_are_trimmed_and_case_insensitive():
    assert read_header([" Row_ID", "NAME "]) == ("row_id", "name")


class CountingPersons(InMemoryPersonRepository):
    """Counts the reads reaching the repository, one by one or in bulk; the first `failures`
    bulk look-ups of identifiers fail as a dropped connection would."""

    def __init__(self, failures: int = 0) -> None:
        super().__init__()
        self.single = self.bulk = 0
        self.failures = failures

    async def holding(self, key: str):
        self.single += 1
        return await super().holding(key)

    async def get(self, person_id: str):
        self.single += 1
        return await super().get(person_id)

    async def holdings(self, keys: list[str]):
        self.bulk += 1
        if self.failures:
            self.failures -= 1
            raise ConnectionError("connection reset")
        held = {k: self.identifiers.get(k) for k in keys}
        return {k: Holding(owner, self.cards.get(k)) for k, owner in held.items() if owner}

    async def get_many(self, person_ids: list[str]):
        self.bulk += 1
        return {pid: self.persons[pid] for pid in person_ids if pid in self.persons}


async def test_a_batch_of_rows_reads_in_bulk_not_row_by_row(tmp_path, publish):
    persons = CountingPersons()
    path = write_csv(tmp_path / "many.csv", [citizen(i) for i in range(200)])

    await run(path, new_index(persons), publish, batch=50)

    assert [r["outcome"] for r in outcomes(path)] == ["created"] * 200
    assert persons.single == 0  # everything a row reads was fetched with its batch
    assert persons.bulk == 4 * 2  # per batch: the identifiers, then the persons


async def test_rows_of_one_batch_see_each_other(tmp_path, publish):
    """A person listed twice in one batch is registered once, the second row linked to it."""
    path = write_csv(tmp_path / "twice.csv", [citizen(1), citizen(1, row_id="again", bhyt="")])

    await run(path, new_index(), publish, batch=500)

    first, again = outcomes(path)
    assert (first["outcome"], again["outcome"]) == ("created", "linked")
    assert again["person_id"] == first["person_id"]


async def test_a_batch_gives_the_outcomes_of_rows_resolved_one_at_a_time(tmp_path, publish):
    rows = mixed_rows(120)
    one_by_one = write_csv(tmp_path / "one.csv", rows)
    await run(one_by_one, new_index(), publish, batch=1)
    batched = write_csv(tmp_path / "batched.csv", rows)

    await run(batched, new_index(), publish, batch=40)

    assert decided(batched) == decided(one_by_one)
    assert {r["outcome"] for r in outcomes(batched)} == {"created", "linked", "review", "rejected"}


async def test_a_transient_failure_is_retried(tmp_path, publish):
    path = write_csv(tmp_path / "list.csv", [citizen(1)])

    await run(path, new_index(CountingPersons(failures=1)), publish)

    assert [r["outcome"] for r in outcomes(path)] == ["created"]


class FailingStores(InMemoryPersonRepository):
    """The `fail_at`-th store of claims fails as a dropped connection would, or, with `rival`,
    a visit registers that citizen just before it (a race lost at storing)."""

    def __init__(self, fail_at: int, rival: list[str] | None = None) -> None:
        super().__init__()
        self.calls, self.fail_at, self.rival = 0, fail_at, rival
        self.index: Index | None = None

    async def claim_all(self, claims):
        self.calls += 1
        if self.calls == self.fail_at:
            if self.rival is None:
                raise ConnectionError("connection reset")
            assert self.index is not None
            _, query = parse_row(tuple(HEADER), self.rival)
            await resolve(
                query,
                create=True,
                cause="visit-1",
                source="visit",
                now=NOW,
                index=self.index,
                publish=RecordingPublish(),
            )
        return await super().claim_all(claims)


async def test_a_batch_failing_while_stored_is_done_again_and_the_next_one_with_it(
    tmp_path, publish
):
    rows = mixed_rows(120)
    unbroken = write_csv(tmp_path / "unbroken.csv", rows)
    await run(unbroken, new_index(), publish, batch=40)
    failing = write_csv(tmp_path / "failing.csv", rows)

    await run(failing, new_index(FailingStores(fail_at=3)), publish, batch=40)  # 2nd batch

    assert decided(failing) == decided(unbroken)


async def test_a_race_lost_while_a_batch_is_stored_also_redoes_the_batch_resolved_on_it(
    tmp_path, publish
):
    """Row 2 (the same citizen with a renewed card) is resolved on top of row 1's batch while
    that one is stored; a visit registering the citizen meanwhile wins: both rows are that
    visit's person, and nobody holds the citizen's identifiers but them."""
    persons = FailingStores(fail_at=1, rival=citizen(1, row_id="visit"))
    index = new_index(persons)
    persons.index = index
    path = write_csv(
        tmp_path / "race.csv", [citizen(1), citizen(1, row_id="again", bhyt="HN2010000000001")]
    )

    await run(path, index, publish, batch=1)

    winner = persons.identifiers[f"cccd:{citizen(1)[HEADER.index('cccd')]}"]
    assert [(r["outcome"], r["person_id"]) for r in outcomes(path)] == [("linked", winner)] * 2
    assert set(persons.identifiers.values()) == {winner}


async def test_an_identifier_lost_while_a_batch_is_stored_is_not_listed_by_the_next_one(
    tmp_path, publish
):
    """Row 1's card goes to someone else registering at that moment; row 2 (the same person,
    resolved on top of row 1's batch) must not list it again."""
    stranger = citizen(7, row_id="visit", bhyt=citizen(1)[HEADER.index("bhyt")])
    persons = FailingStores(fail_at=2, rival=stranger)  # the 2nd claim: row 1's card
    index = new_index(persons)
    persons.index = index
    again = citizen(1, row_id="again", cmnd="123456789")  # something new to list
    path = write_csv(tmp_path / "lost.csv", [citizen(1), again])

    await run(path, index, publish, batch=1)

    first, second = outcomes(path)
    assert (first["outcome"], second["outcome"]) == ("created", "linked")
    mine = persons.persons[first["person_id"]]
    assert sorted(i.type for i in mine.identifiers) == ["cccd", "cmnd"]


async def test_resume_after_a_crash_redoes_no_row_twice_and_ends_as_an_unbroken_run(
    tmp_path, publish
):
    rows = mixed_rows(230)
    unbroken = write_csv(tmp_path / "unbroken.csv", rows)
    expected = await run(unbroken, new_index(), publish)
    crashed = write_csv(tmp_path / "crashed.csv", rows)
    index = new_index()

    def crash_at_137(done: int) -> None:
        if done == 137:
            raise Crash

    def crash_at_105(done: int) -> None:
        if done == 105:
            raise Crash

    with pytest.raises(Crash):
        await run(crashed, index, publish, batch=40, checkpoint_every=50, after_row=crash_at_137)
    assert json.loads(checkpoint_path(crashed).read_text())["rows"] == 100
    assert len(outcomes(crashed)) == 137  # 37 lines past the checkpoint, to be dropped
    with pytest.raises(Crash):  # crash again, soon after resuming
        await run(crashed, index, publish, batch=40, after_row=crash_at_105)
    assert len(outcomes(crashed)) == 105  # the lines past the checkpoint were dropped
    resumed = await run(crashed, index, publish, batch=40, checkpoint_every=50)

    assert decided(crashed) == decided(unbroken)
    assert {r["outcome"] for r in outcomes(crashed)} == {"created", "linked", "review", "rejected"}
    assert totals(resumed) == totals(expected)
    assert resumed.rows_per_s > 0


async def test_a_rerun_changes_nothing_and_restart_gives_the_same_outcomes(tmp_path, publish):
    path = write_csv(tmp_path / "list.csv", mixed_rows(60))
    index = new_index()
    first = await run(path, index, publish)
    before = decided(path)

    again = await run(path, index, publish)  # the checkpoint says every row is done
    assert totals(again) == totals(first) and decided(path) == before
    restarted = await run(path, index, publish, restart=True)  # every row resolved again

    assert totals(restarted) == totals(first) and decided(path) == before


async def test_a_checkpoint_for_another_source_or_a_changed_file_is_refused(tmp_path, publish):
    path = write_csv(tmp_path / "list.csv", [citizen(1)])
    await run(path, new_index(), publish)

    with pytest.raises(ResumeError, match="pass --restart"):
        await bulk_import.import_file(path, source="other", index=new_index(), publish=publish)
    write_csv(path, [citizen(1), citizen(2)])
    with pytest.raises(ResumeError, match="pass --restart"):
        await run(path, new_index(), publish)
