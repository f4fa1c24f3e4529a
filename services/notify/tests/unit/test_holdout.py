"""domain/holdout: a stable, campaign-specific share of citizens gets no reminder."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from hssk_notify.domain.holdout import in_holdout

N = 20_000


def ids(n: int = N) -> list[str]:
    return [uuid.uuid4().hex for _ in range(n)]


@pytest.mark.parametrize("share", [0.05, 0.1, 0.5, 0.9])
def test_about_share_of_citizens_are_held_out(share):
    held = sum(in_holdout(pid, "camp-2026-12", share) for pid in ids())
    sigma = (N * share * (1 - share)) ** 0.5
    assert abs(held - N * share) < 5 * sigma  # fails by chance about once in 1.7 million runs


def test_share_zero_never_and_one_always():
    sample = ids(2_000)
    assert not any(in_holdout(pid, "c", 0.0) for pid in sample)
    assert all(in_holdout(pid, "c", 1.0) for pid in sample)


def test_the_answer_is_stable():
    sample = ids(500)
    first = [in_holdout(pid, "camp", 0.3) for pid in sample]
    assert [in_holdout(pid, "camp", 0.3) for pid in sample] == first


def test_the_answer_is_the_sha256_of_campaign_and_person():
    # Pinned so a refactor cannot silently reshuffle groups mid-campaign.
    pid, campaign = "person-0001", "camp-2026-12"
    value = int.from_bytes(hashlib.sha256(b"camp-2026-12|person-0001").digest()[:8], "big")
    unit = value / 2**64
    assert in_holdout(pid, campaign, min(1.0, unit + 1e-9))
    assert not in_holdout(pid, campaign, max(0.0, unit - 1e-9))


def test_held_out_at_a_share_means_held_out_at_any_larger_share():
    for pid in ids(2_000):
        if in_holdout(pid, "camp", 0.2):
            assert in_holdout(pid, "camp", 0.21)


def test_campaigns_draw_independent_groups():
    sample = ids()
    a = {pid for pid in sample if in_holdout(pid, "camp-a", 0.5)}
    b = {pid for pid in sample if in_holdout(pid, "camp-b", 0.5)}
    both = len(a & b)
    assert abs(both - N / 4) < 5 * (N * 0.25 * 0.75) ** 0.5


@pytest.mark.parametrize("share", [-0.01, 1.01, float("nan")])
def test_a_share_outside_0_1_is_refused(share):
    with pytest.raises(ValueError):
        in_holdout("p", "c", share)
