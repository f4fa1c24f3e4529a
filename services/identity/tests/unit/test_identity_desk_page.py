"""The review queue's page, pure: what a hospital sent is escaped, each candidate's weights
are shown beside the field they weigh, and a candidate the officer may not see has no link
button."""

from __future__ import annotations

from datetime import UTC, datetime

from hssk_contracts.events import PersonSnapshot
from hssk_identity.domain.review import Candidate, Review
from hssk_identity.entrypoints.http_desk import _review

CANDIDATE = "11111111-1111-5111-8111-111111111111"


def a_review(candidates) -> Review:
    return Review(
        review_id="22222222-2222-5222-8222-222222222222",
        person_id="33333333-3333-5333-8333-333333333333",
        ward="26734",
        reason="cccd belongs to a person whose name and birth date both differ",
        query={
            "name": "<script>alert(1)</script>",
            "birth_date": "1961-09-09",
            "sex": "male",
            "identifiers": [{"type": "cccd", "value": "079062176124"}],
        },
        candidates=candidates,
        created_at=datetime(2026, 12, 7, tzinfo=UTC),
    )


def test_what_came_in_is_escaped_and_each_weight_sits_by_its_field():
    weights = {"name:different": -9.0, "surname": 3.5, "birth:different": -8.0,
               "commune:agree": 2.0}  # fmt: skip
    page = _review(
        a_review([Candidate(CANDIDATE, -11.5, weights)]),
        {
            CANDIDATE: PersonSnapshot(
                person_id=CANDIDATE,
                version=1,
                identifiers=[],
                name="Đỗ Thị Hằng",
                commune_code="26734",
            )
        },
    )
    assert "<script>" not in page and "&lt;script&gt;" in page
    name_row = page[page.index("Họ tên") : page.index("Ngày sinh")]
    assert "-9,0 khác" in name_row and "+3,5" in name_row
    assert "+2,0 khớp" in page[page.index("Mã phường") :]
    assert f'value="{CANDIDATE}"' in page and "Cùng một người" in page


def test_a_candidate_outside_the_ward_cannot_be_linked_from_here():
    page = _review(a_review([Candidate(CANDIDATE, 20.0, {})]), {CANDIDATE: None})
    assert f'value="{CANDIDATE}"' not in page and "phường khác" in page
    assert "Không phải cùng một người" in page
