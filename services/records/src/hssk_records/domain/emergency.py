"""Emergency ("break-glass") access: a doctor without a care relationship may read a record only
for a coded purpose and a reason written in real words, for a limited time, a limited number of
times a day; each read is flagged and shown to the citizen. Messages are Vietnamese first."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Purpose = Literal[
    "unconscious_patient",
    "life_threatening",
    "emergency_transfer",
    "patient_cannot_consent",
    "poisoning_or_overdose",
]
PURPOSES: dict[str, str] = {
    "unconscious_patient": "Người bệnh bất tỉnh",
    "life_threatening": "Tình trạng đe dọa tính mạng",
    "emergency_transfer": "Chuyển viện cấp cứu",
    "patient_cannot_consent": "Người bệnh không thể đồng ý",
    "poisoning_or_overdose": "Ngộ độc hoặc quá liều",
}
MIN_WORDS = 3
MIN_LETTERS = 15


def _words(text: str) -> list[str]:
    """Words of at least two letters, after removing invisible format characters."""
    text = unicodedata.normalize("NFC", text)
    visible = "".join(c for c in text if unicodedata.category(c) != "Cf")
    words = []
    for raw in visible.split():
        letters = [c for c in raw if unicodedata.category(c).startswith("L")]
        if len(letters) >= 2 and len(set(letters)) >= 2:  # "aaaa" is no word
            words.append("".join(letters))
    return words


def reason_problem(reason: str) -> tuple[str, str] | None:
    """(Vietnamese, English) saying why `reason` is not a real reason, or None."""
    words = _words(reason)
    if len(words) < MIN_WORDS or sum(len(w) for w in words) < MIN_LETTERS:
        return (
            f"Lý do phải là câu có nghĩa: ít nhất {MIN_WORDS} từ và {MIN_LETTERS} chữ cái "
            "(ví dụ: 'bệnh nhân hôn mê, cần biết tiền sử dị ứng').",
            f"the reason must be real words: at least {MIN_WORDS} words and {MIN_LETTERS} "
            "letters (e.g. 'patient unconscious, need allergy history').",
        )
    return None


@dataclass(frozen=True)
class Grant:
    """An open emergency access of one doctor (token subject) to one record."""

    doctor: str
    person_id: str
    facility: str
    purpose: str
    reason: str
    opened_at: datetime
    expires_at: datetime

    @property
    def key(self) -> str:
        return grant_key(self.doctor, self.person_id)

    def active(self, now: datetime) -> bool:
        return self.opened_at <= now < self.expires_at

    @property
    def stated(self) -> str:
        return f"{self.purpose}: {self.reason}"


def grant_key(doctor: str, person_id: str) -> str:
    return f"{doctor}|{person_id}"


def open_grant(
    *,
    doctor: str,
    person_id: str,
    facility: str,
    purpose: str,
    reason: str,
    now: datetime,
    lasts: timedelta,
) -> Grant:
    text = " ".join(reason.split())[:500]
    return Grant(doctor, person_id, facility, purpose, text, now, now + lasts)
