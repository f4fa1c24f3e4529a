"""SMS text that fits one segment: 70 UCS-2 characters with Vietnamese diacritics, or 160 GSM-7
characters unaccented, shortened at a word boundary but never cutting the link it ends with."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

UCS2_SEGMENT = 70
GSM7_SEGMENT = 160

# GSM 03.38 default alphabet (the escape code 0x1B itself is not a character) and its extension
# table, whose characters take two septets (escape + character).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
# Typography a writer may use that GSM-7 lacks; anything else unencodable becomes "?".
_TO_GSM7 = str.maketrans({"…": "...", "“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})

# Words a reader may misread once the diacritics are gone: each group shares one unaccented form
# and holds common words of different meanings, where one reading is a health word or the misreading
# changes what the citizen should do ("tai kham ngay" reads "re-visit at once"). Curated for the
# words of our reminders and the record, not a dictionary: a word is flagged when its group has
# another member.
_CONFUSABLE_GROUPS: tuple[tuple[str, ...], ...] = (
    ("đường", "dương", "đương", "dưỡng"),  # road/sugar (tiểu đường); positive; current; nourish
    ("máu", "mau", "màu", "mẫu", "mâu"),  # blood; quick; colour; sample/form; (mâu thuẫn) conflict
    ("khám", "kham"),  # examine; endure (kham khổ)
    ("thuốc", "thuộc"),  # medicine; belong to
    ("bệnh", "bênh"),  # disease; take someone's side
    ("tiêm", "tiềm", "tiệm"),  # inject; latent (tiềm ẩn); shop
    ("lịch", "lích"),  # schedule; (lích kích) cumbersome
    ("hẹn", "hến", "hen"),  # appointment; clam; asthma
    ("nhóm", "nhòm", "nhôm"),  # group; peep; aluminium
    ("dị", "di", "dì", "dĩ"),  # (dị ứng) allergy; move; aunt; (dĩ nhiên) of course
    ("ứng", "ung"),  # (dị ứng, ứng dụng) allergy, app; (ung thư) cancer
    ("tái", "tại", "tai", "tài"),  # again (tái khám); at; ear; talent
    ("ngày", "ngay", "ngáy"),  # day; at once; snore
    ("nặng", "nang", "nâng", "nắng"),  # (cân nặng) weight, heavy; cyst; lift; sunshine
    ("tính", "tình", "tỉnh", "tinh"),  # (mạn tính) chronic; love; province; semen
    ("mở", "mổ", "mỡ", "mộ"),  # open; operate (surgery); fat; grave
    ("đại", "dài", "dại", "dải"),  # (đại diện) represent; long; rabies, mad; strip
    ("tiểu", "tiêu"),  # (tiểu đường) diabetes, urine; digest, spend
)


@dataclass(frozen=True)
class FittedSms:
    text: str
    unicode: bool  # True when the text must go UCS-2 (it has a character outside GSM-7)
    segments: int
    ambiguous: tuple[str, ...]  # unaccented words a reader may misread (see ambiguous_words)


def unaccent(text: str) -> str:
    """Vietnamese without diacritics (đ/Đ become d/D), whatever the input's normal form."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare.replace("đ", "d").replace("Đ", "D"))


def _by_unaccented(groups: tuple[tuple[str, ...], ...]) -> dict[str, frozenset[str]]:
    index: dict[str, frozenset[str]] = {}
    for group in groups:
        for word in group:
            index[unaccent(word)] = index.get(unaccent(word), frozenset()) | {word}
    return index


_CONFUSABLE = _by_unaccented(_CONFUSABLE_GROUPS)


def is_gsm7(text: str) -> bool:
    """Whether every character is in the GSM 03.38 default alphabet or its extension table."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def gsm7_length(text: str) -> int:
    """Septets `text` takes in GSM-7 (extension characters take two); `text` must be GSM-7."""
    if not is_gsm7(text):
        raise ValueError(f"not GSM-7: {text!r}")
    return sum(2 if c in GSM7_EXTENSION else 1 for c in text)


def ucs2_length(text: str) -> int:
    """UTF-16 code units: a character outside the BMP (an emoji) takes two."""
    return len(text.encode("utf-16-le")) // 2


def ambiguous_words(text: str) -> tuple[str, ...]:
    """The words of accented `text` (lower case, in order, once each) that a reader may take for
    another word once unaccented, e.g. "máu" (blood) read as "mau" (quick)."""
    found: list[str] = []
    for word in re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()):
        if word not in found and _CONFUSABLE.get(unaccent(word), frozenset()) - {word}:
            found.append(word)
    return tuple(found)


def _to_gsm7(text: str) -> str:
    plain = unaccent(text).translate(_TO_GSM7)
    return "".join(c if c in GSM7_BASIC or c in GSM7_EXTENSION else "?" for c in plain)


def _shorten(body: str, room: int, measure: Callable[[str], int], ellipsis: str) -> str:
    """The longest word-boundary prefix of `body` that fits `room` with `ellipsis` appended."""
    cuts = [i for i, c in enumerate(body) if c.isspace()][::-1]
    for cut in cuts:
        head = body[:cut].rstrip(" \t\n,.;:-–—")
        if head and measure(head + ellipsis) <= room:
            return head + ellipsis
    # Not even the first word fits: cut inside it rather than send nothing but the link.
    for end in range(len(body) - 1, 0, -1):
        if measure(body[:end] + ellipsis) <= room:
            return body[:end] + ellipsis
    return ""


def fit(text: str, *, unicode: bool = True, keep: str = "") -> FittedSms:
    """`text` + `keep` in one segment: with diacritics in 70 UCS-2 characters (160 when every
    character is GSM-7), or unaccented in 160 GSM-7 characters. Too long a text is shortened at
    a word boundary, with an ellipsis, before `keep` (e.g. " https://…"), which is kept whole."""
    body, tail = unicodedata.normalize("NFC", text), unicodedata.normalize("NFC", keep)
    ambiguous: tuple[str, ...] = ()
    if not unicode:
        ambiguous = ambiguous_words(body)
        body, tail = _to_gsm7(body), unaccent(tail)
        if not is_gsm7(tail):
            raise ValueError(f"`keep` cannot be sent unaccented: {keep!r}")
    gsm = is_gsm7(body + tail)
    measure = gsm7_length if gsm else ucs2_length
    limit, ellipsis = (GSM7_SEGMENT, "...") if gsm else (UCS2_SEGMENT, "…")
    if measure(tail) > limit:
        raise ValueError(f"`keep` alone does not fit one {limit}-character segment: {keep!r}")
    if measure(body + tail) > limit:
        body = _shorten(body, limit - measure(tail), measure, ellipsis)
    out = body + tail if body else tail.lstrip()
    return FittedSms(text=out, unicode=not is_gsm7(out), segments=1, ambiguous=ambiguous)
