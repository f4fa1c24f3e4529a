"""Ways Vietnamese names get mangled between systems: lost diacritics, another tone, the other tone
placement, one-key typos, and TCVN3/VNI bytes shown as cp1252 (the inverse of the tables that
`names.repair_mojibake` reads with)."""

from __future__ import annotations

import random
import unicodedata

from hssk_identity.domain import legacy_encodings as legacy

TONES = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")  # huyền, sắc, ngã, hỏi, nặng
_KEYBOARD = dict(
    zip(
        "qwertyuiopasdfghjklzxcvbnm",
        [
            "wa",
            "qes",
            "wrd",
            "etf",
            "ryg",
            "tuh",
            "yij",
            "uok",
            "ipl",
            "ol",
            "qsz",
            "awdx",
            "sefc",
            "drgv",
            "fthb",
            "gyjn",
            "hukm",
            "jilm",
            "kop",
            "asx",
            "zsdc",
            "xdfv",
            "cfgb",
            "vghn",
            "bhjm",
            "njk",
        ],
        strict=True,
    )
)


def split_tone(word: str) -> tuple[str, str | None, int]:
    """The word without its tone mark, the mark, and the index of the letter that carried it."""
    plain, tone, at = [], None, -1
    for i, char in enumerate(unicodedata.normalize("NFC", word)):
        parts = unicodedata.normalize("NFD", char)
        marks = [p for p in parts if p in TONES]
        if marks:
            tone, at = marks[0], i
        plain.append(unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONES)))
    return "".join(plain), tone, at


def put_tone(plain: str, tone: str | None, at: int) -> str:
    if tone is None:
        return plain
    return plain[:at] + unicodedata.normalize("NFC", plain[at] + tone) + plain[at + 1 :]


def flip_tone_placement(word: str) -> str:
    """Hòa <-> Hoà, Thủy <-> Thuỷ: the old and the new rule for an open oa/oe/uy syllable."""
    plain, tone, at = split_tone(word)
    lower = plain.lower()
    if tone is None or lower.startswith("qu") or not lower.endswith(("oa", "oe", "uy")):
        return word
    end = len(plain) - 1
    if at not in (end - 1, end):
        return word
    return put_tone(plain, tone, end - 1 if at == end else end)


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return bare.replace("đ", "d").replace("Đ", "D")


def change_tone(rng: random.Random, word: str) -> str | None:
    """Another tone (or none) on a toned syllable: "Thủy" -> "Thúy"; None if it has no tone."""
    plain, tone, at = split_tone(word)
    if tone is None:
        return None
    return put_tone(plain, rng.choice([t for t in (*TONES, None) if t != tone]), at)


def typo(rng: random.Random, word: str) -> str:
    """One slip of the keyboard: a neighbouring key, a dropped, doubled or swapped letter."""
    chars = list(unicodedata.normalize("NFC", word))
    for _ in range(20):
        op, i = rng.choice(["neighbour", "drop", "double", "swap"]), rng.randrange(len(chars))
        out = chars[:]
        base = chars[i].lower()
        if op == "neighbour" and base in _KEYBOARD:
            key = rng.choice(_KEYBOARD[base])
            out[i] = key.upper() if chars[i].isupper() else key
        elif op == "drop" and len(chars) >= 3 and i > 0:
            del out[i]
        elif op == "double" and i > 0:
            out.insert(i, chars[i])
        elif op == "swap" and 0 < i < len(chars) - 1 and chars[i] != chars[i + 1]:
            out[i], out[i + 1] = chars[i + 1], chars[i]
        candidate = "".join(out)
        if candidate != word:
            return candidate
    return word + rng.choice("aeinhu")


_TCVN3_OF = {
    char: byte
    for byte, char in legacy.TCVN3_BYTES.items()
    if len(char) == 1 and not unicodedata.combining(char)
}
_VNI_MARK_OF = {marks: key for key, marks in legacy.VNI_MARKS.items() if key.islower()}
_VNI_LETTER_OF = {letter: key for key, letter in legacy.VNI_LETTERS.items() if key.islower()}
_VOWEL_MARKS = ("\u0302", "\u0306")  # circumflex, breve: VNI writes them as mark bytes
_HORN = "\u031b"


def tcvn3_mojibake(text: str) -> str | None:
    """`text` stored in TCVN3 and shown as cp1252 ("Nguyễn" -> "NguyÔn"); None if a letter has
    no printable TCVN3 byte (upper-case toned letters sit in the C0 control range)."""
    raw = []
    for char in unicodedata.normalize("NFC", text):
        byte = ord(char) if ord(char) < 0x80 else _TCVN3_OF.get(char)
        if byte is None or byte < 0x20:
            return None
        raw.append(byte)
    return _as_cp1252(bytes(raw))


def vni_mojibake(text: str) -> str:
    """`text` stored in VNI-Windows and shown as cp1252 ("Nguyễn" -> "Nguyeãn")."""
    return "".join(_vni_char(char) for char in unicodedata.normalize("NFC", text))


def _vni_char(char: str) -> str:
    lower, upper = char.lower(), char != char.lower()
    if lower in _VNI_LETTER_OF:
        key = _VNI_LETTER_OF[lower]
        return key.upper() if upper else key
    parts = unicodedata.normalize("NFD", lower)
    base, marks = parts[0], parts[1:]
    if _HORN in marks:  # ơ, ư are single VNI letters; the tone follows as a mark byte
        letter = _VNI_LETTER_OF[unicodedata.normalize("NFC", base + _HORN)]
        tone = "".join(m for m in marks if m in TONES)
        out = letter + (_VNI_MARK_OF[tone] if tone else "")
    else:
        vowel = "".join(m for m in marks if m in _VOWEL_MARKS)
        tone = "".join(m for m in marks if m in TONES)
        out = base + (_VNI_MARK_OF[vowel + tone] if marks else "")
    return out.upper() if upper else out


def _as_cp1252(raw: bytes) -> str:
    # Bytes cp1252 leaves undefined show as their Latin-1 code points, as legacy_encodings expects.
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in raw)
