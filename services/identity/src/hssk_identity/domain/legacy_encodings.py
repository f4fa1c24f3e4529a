"""Pre-Unicode Vietnamese encodings (TCVN3/ABC, VNI) and how to read text that was stored in one
of them but displayed as Latin-1/cp1252 ("NguyÔn V¨n", "Nguyeãn Vaên")."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

# TCVN 5712:1993. VN3 (the "ABC" fonts) holds the 14 letters Ă…đ plus every lower-case toned
# letter; upper-case toned letters were drawn by switching to an upper-case font. VN1 adds the
# upper-case toned letters in the byte positions VN3 leaves free (0x01-0x17, 0x80-0x9F and the
# gaps above 0xA0); VN3 is a subset of VN1, so one table reads both. Tones within a group run
# grave, hook, tilde, acute, dot (huyền, hỏi, ngã, sắc, nặng).
_TCVN3_RUNS: tuple[tuple[int, str], ...] = (
    (0x01, "ÚỤ"),
    (0x04, "ỪỬỮ"),
    (0x11, "ỨỰỲỶỸÝỴ"),
    (0x80, "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"),
    (0xA1, "ĂÂÊÔƠƯĐăâêôơưđẰ"),
    (0xB0, "\u0300\u0309\u0303\u0301\u0323"),  # VN1 combining tone marks
    (0xB5, "àảãáạẲằẳẵắẴẮẦẨẪẤỀặầẩẫấậèỂẻẽéẹềểễếệìỉỄẾỒĩíịòỔỏõóọồổỗốộờởỡớợùỖủũúụừửữứựỳỷỹýỵỐ"),
)


def _runs_to_table(runs: tuple[tuple[int, str], ...]) -> dict[int, str]:
    return {start + offset: char for start, text in runs for offset, char in enumerate(text)}


TCVN3_BYTES: Mapping[int, str] = _runs_to_table(_TCVN3_RUNS)

# VNI-Windows writes most letters as an ASCII base letter followed by a "mark" byte; the font
# draws the pair as one glyph. ơ, ư, đ and the toned i's (and ỵ) are single bytes of their own.
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE = "\u0302", "\u0306"
_VNI_MARKS_LOWER: Mapping[str, str] = {
    "ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT,
    "â": _CIRCUMFLEX, "á": _CIRCUMFLEX + _ACUTE, "à": _CIRCUMFLEX + _GRAVE,
    "å": _CIRCUMFLEX + _HOOK, "ã": _CIRCUMFLEX + _TILDE, "ä": _CIRCUMFLEX + _DOT,
    "ê": _BREVE, "é": _BREVE + _ACUTE, "è": _BREVE + _GRAVE,
    "ú": _BREVE + _HOOK, "ü": _BREVE + _TILDE, "ë": _BREVE + _DOT,
}  # fmt: skip
_VNI_LETTERS_LOWER: Mapping[str, str] = {
    "ô": "ơ", "ö": "ư", "ñ": "đ", "î": "ỵ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị",
}  # fmt: skip
VNI_MARKS: Mapping[str, str] = {
    **_VNI_MARKS_LOWER,
    **{k.upper(): v for k, v in _VNI_MARKS_LOWER.items()},
}
VNI_LETTERS: Mapping[str, str] = {
    **_VNI_LETTERS_LOWER,
    **{k.upper(): v.upper() for k, v in _VNI_LETTERS_LOWER.items()},
}
# Which base letters a VNI mark may follow: circumflex goes on a/e/o, breve only on a.
_TAKES_TONE = frozenset("aeiouyơư")
_TAKES_CIRCUMFLEX = frozenset("aeo")
_TAKES_BREVE = frozenset("a")


def _cp1252_byte_of() -> dict[str, int]:
    """Each character a legacy byte turns into when shown as cp1252; bytes cp1252 leaves
    undefined (0x81, 0x8D, ...) and C1 controls survive as their Latin-1 code points."""
    table = {chr(b): b for b in range(256)}
    for b in range(0x80, 0xA0):
        try:
            table[bytes([b]).decode("cp1252")] = b
        except UnicodeDecodeError:
            continue
    return table


_BYTE_OF: Mapping[str, int] = _cp1252_byte_of()


def as_legacy_bytes(text: str) -> bytes | None:
    """The bytes behind `text` if it is a Latin-1/cp1252 rendering of bytes; else None."""
    try:
        return bytes(_BYTE_OF[char] for char in text)
    except KeyError:
        return None


def decode_tcvn3(raw: bytes) -> str:
    return unicodedata.normalize("NFC", "".join(TCVN3_BYTES.get(b, chr(b)) for b in raw))


def decode_vni(raw: bytes) -> str:
    out: list[str] = []
    for char in raw.decode("latin-1"):
        marks = VNI_MARKS.get(char)
        if marks is not None and out and _accepts(out[-1], marks):
            out[-1] = unicodedata.normalize("NFC", out[-1] + marks)
        else:
            out.append(VNI_LETTERS.get(char, char))
    return "".join(out)


def _accepts(base: str, marks: str) -> bool:
    letter = base.lower()
    if letter not in _TAKES_TONE:
        return False
    if _CIRCUMFLEX in marks:
        return letter in _TAKES_CIRCUMFLEX
    if _BREVE in marks:
        return letter in _TAKES_BREVE
    return True


def decode_utf8(raw: bytes) -> str | None:
    """UTF-8 shown as cp1252 ("Nguyá»…n"), the commonest mojibake of modern systems."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def readings(text: str) -> list[str]:
    """Every way `text` could be re-read if it is mojibake; UTF-8 first, as a strict UTF-8
    decode rarely succeeds by accident.

    Empty when `text` cannot be mojibake: printable ASCII, or any character (ă, ễ, a combining
    mark) that no Latin-1/cp1252 rendering of bytes can produce."""
    if all(" " <= char <= "~" for char in text):
        return []
    raw = as_legacy_bytes(text)
    if raw is None:
        return []
    found = [decode_utf8(raw), decode_tcvn3(raw), decode_vni(raw)]
    return [reading for reading in found if reading is not None and reading != text]
