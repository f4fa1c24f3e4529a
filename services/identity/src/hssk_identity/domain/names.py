"""Vietnamese personal names for the master citizen index: repair legacy-encoded text, put each
name in one canonical spelling, and say how well two names agree."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

from hssk_identity.domain import edits, legacy_encodings

EXACT = "exact"
TONE_ONLY = "tone_only"
MIDDLE_VARIANT = "middle_variant"
REORDERED = "reordered"
TYPO = "typo"
GIVEN_ONLY = "given_only"
SIMILAR = "similar"
DIFFERENT = "different"

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
_MARKED_VOWELS = frozenset("ăâêôơư")
_VOWELS = frozenset("aeiouy")
# Ð (Icelandic eth) looks exactly like Đ and is what cp1258 text shows when read as cp1252.
_LOOKALIKES = str.maketrans({"Ð": "Đ", "ð": "đ"})

_ONSETS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx]"
_NUCLEI = (
    "iêu oai oay oeo uây uôi uya uyê uyu ươi ươu yêu "
    "ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê "
    "a ă â e ê i o ô ơ u ư y"
).split()  # longest first, so the regex tries "uyê" before "u"
_SYLLABLE = re.compile(
    rf"(?P<onset>{_ONSETS})?(?P<nucleus>{'|'.join(_NUCLEI)})(?P<coda>ch|ng|nh|[cmnpt])?"
)
# Nuclei that never take a final consonant, and those that always do (iê/uô/ươ are the closed
# forms of ia/ua/ưa; ă and â never end a syllable).
_OPEN_ONLY = frozenset(
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui uơ ưa ưi ưu "
    "iêu oai oay oeo uây uôi uya uyu ươi ươu yêu".split()
)
_CLOSED_ONLY = frozenset("ă â iê yê uô ươ uyê oă uâ".split())
# After a stop (c, ch, p, t) only the rising and the heavy tone can be said.
_STOP_CODAS = frozenset(("c", "ch", "p", "t"))
_STOP_TONES = frozenset("\u0301\u0323")
_SEGMENT = re.compile(r"[^\W\d_]+")  # runs of letters: "H'Hen" and "Y-Moan" hold two syllables
_PLAIN_SPACES = re.compile(r"[ \t\r\n]+")
_CAPITALISABLE = re.compile(r"(^|['\-])(\w)")


@dataclass(frozen=True)
class Name:
    display: str
    exact: str
    folded: str
    family: str
    middle: tuple[str, ...]
    given: str


@lru_cache(maxsize=1 << 16)  # a name is parsed for each comparison; names repeat a lot
def parse(raw: str) -> Name:
    """Repair, normalise and split a name as typed at any reception desk."""
    if not raw or not raw.strip():
        raise ValueError("name is empty")
    text = unicodedata.normalize("NFC", repair_mojibake(raw)).translate(_LOOKALIKES)
    display = " ".join(_canonical_word(word) for word in text.split())
    folded = fold(display)
    words = folded.split()
    if not words:
        raise ValueError("name is empty")
    return Name(
        display=display,
        exact=display.upper(),
        folded=folded,
        family=words[0] if len(words) > 1 else "",
        middle=tuple(words[1:-1]),
        given=words[-1],
    )


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Upper case without tones or vowel marks, Đ as D: the key most registries compare on."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LOOKALIKES))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.replace("đ", "d").replace("Đ", "D").upper()


def _canonical_word(word: str) -> str:
    lower = _SEGMENT.sub(lambda m: _place_tone(m.group()), word.lower())
    return _CAPITALISABLE.sub(lambda m: m.group(1) + m.group(2).upper(), lower)


def _split_tone(syllable: str) -> tuple[str, list[str]]:
    """The syllable without its tone marks (NFC), and those marks. A mark that sits on a
    consonant ("ñ") is no Vietnamese tone: it is returned twice, so the shape is refused."""
    tones: list[str] = []
    kept: list[str] = []
    base = ""
    for char in unicodedata.normalize("NFD", syllable):
        if char not in _TONE_MARKS:
            kept.append(char)
            base = char if not unicodedata.combining(char) else base
        else:
            tones.extend([char] if base.lower() in _VOWELS else [char, char])
    return unicodedata.normalize("NFC", "".join(kept)), tones


def _place_tone(syllable: str) -> str:
    """Write the tone where the canonical rule puts it, whatever vowel the typist put it on.

    Rule (one spelling per name, so "Hoà" and "Hòa" compare EXACT):
    1. a vowel carrying a vowel mark (ă â ê ô ơ ư) takes the tone; in ươ it is the ơ:
       Nguyễn, Tuấn, Người, Thuở;
    2. otherwise, when a final consonant follows, the last vowel takes it: Hoàng, Toán, Huỳnh;
    3. otherwise, in an open syllable of three vowels the middle one: Ngoài, Khuỷu;
    4. otherwise, in an open syllable of two vowels the first one: Hòa, Thúy, Khỏe, Thụy, Của.
    Rule 4 is the "òa, úy" placement of most keyboards and printed registers; the 1980s school
    rule writes "oà, uý" instead. The "qu" and "gi" onsets are consonants, so: Quý, Già.
    Anything that is not one toned Vietnamese syllable (José, a typo) is left as typed.
    """
    plain, tones = _split_tone(syllable)
    shape = _shape(plain, tones)
    if len(tones) != 1 or shape is None:
        return syllable
    at = shape.start("nucleus") + _tone_offset(shape.group("nucleus"), bool(shape.group("coda")))
    return unicodedata.normalize("NFC", plain[: at + 1] + tones[0] + plain[at + 1 :])


def _shape(plain: str, tones: list[str]) -> re.Match[str] | None:
    """Onset, nucleus and coda of a well-formed syllable (tone removed); None if it is not one."""
    shape = _SYLLABLE.fullmatch(plain)
    if shape is None or len(tones) > 1:
        return None
    onset, nucleus, coda = shape.group("onset"), shape.group("nucleus"), shape.group("coda")
    if (onset == "qu" and nucleus[0] in "ou") or (onset == "gi" and nucleus[0] == "i"):
        return None  # the u of qu and the i of gi are already the glide: no "quoa", "giiê"
    if (nucleus in _OPEN_ONLY and coda) or (nucleus in _CLOSED_ONLY and not coda):
        return None
    if coda in ("ch", "nh") and nucleus[-1] not in "aêiy":
        return None  # anh, ênh, inh, uynh; never "onh"
    if tones and coda in _STOP_CODAS and tones[0] not in _STOP_TONES:
        return None
    return shape


def _tone_offset(nucleus: str, closed: bool) -> int:
    marked = [i for i, vowel in enumerate(nucleus) if vowel in _MARKED_VOWELS]
    if marked:
        return marked[-1]
    if len(nucleus) == 1:
        return 0
    if closed:
        return len(nucleus) - 1
    return 1 if len(nucleus) == 3 else 0


def repair_mojibake(raw: str) -> str:
    """Re-read TCVN3 (ABC), VNI or UTF-8 bytes that were shown as Latin-1/cp1252.

    A reading replaces the input only if it looks strictly more Vietnamese, so a genuine name
    ("Lê Thành Tâm", "Nguyen Van An", "José") comes back unchanged. A mojibake that is itself a
    plausible name (TCVN3 "Giái" for "Giỏi") cannot be told apart and is left as it is.
    """
    readings = legacy_encodings.readings(raw)
    if not readings:
        return raw
    best, best_score = raw, _syllable_score(raw)
    for reading in readings:
        score = _syllable_score(reading)
        if score > best_score:
            best, best_score = reading, score
    return best


def _syllable_score(text: str) -> int:
    """How Vietnamese `text` looks. Per word: -1 unless a well-formed syllable; 0 if it has a
    capital inside ("TuÊn", "NGUYễN": mojibake, or a legacy reading); else 1, or 2 for a common
    surname in first place (VNI "Hoà An" is "Hồ An") or a common name elsewhere (VNI "Thò" is
    "Thị"). Split on plain spaces only: "HÃ\xa0" ends in the UTF-8 tail of "à"."""
    words = [word for word in _PLAIN_SPACES.split(text) if word]
    return sum(_word_score(word, first=i == 0 < len(words) - 1) for i, word in enumerate(words))


def _word_score(word: str, first: bool) -> int:
    if _shape(*_split_tone(word.lower())) is None:
        return -1
    if word not in (word.lower(), word.upper(), word.capitalize()):
        return 0
    canonical = _canonical_word(word).upper()
    return 2 if canonical in (_COMMON_SURNAMES if first else _COMMON_NAME_SYLLABLES) else 1


# Frequent middle and given names: to choose between readings of mojibake, and to know which
# names written without diacritics could be more than one name (TUAN: Tuấn or Tuân).
_COMMON_NAME_SYLLABLES = frozenset(
    syllable.upper()
    for syllable in """an anh ánh bảo bích bình cúc cường chi chính công dân diệp diệu dung dũng
    duy duyên dương đào đạt điệp định đông đức gia giang hà hạ hải hân hạnh hào hậu hiền hiếu
    hòa hoa hoài hoan hoàng hồng huệ hùng hưng hương hường huy huyền khang khánh khoa khôi khuê
    kiên kiều kim lam lan lâm lệ liên liễu linh loan lộc long luân lực mai mạnh minh mỹ my nam
    nga ngân nghĩa ngọc nguyên nguyệt nhàn nhân nhi nhung như oanh phát phong phú phúc phụng
    phương phượng quân quang quốc quý quyên quỳnh sang sơn tài tâm tân thái thắm thắng thanh
    thành thảo thế thị thịnh thọ thoa thông thu thủy thúy thụy thư thương tiến tín toàn trâm
    trang trí trinh trọng trung trúc tú tuấn tùng tuyết tường uyên văn vân việt vinh vy xuân
    yến tuân phước hằng thùy châu thơ chiến thiện thuận kiệt khải hiển""".split()
)


def compare(a: Name, b: Name) -> str:
    """How two names agree, strongest level first."""
    if a.exact == b.exact:
        return EXACT
    if a.folded == b.folded:
        return TONE_ONLY
    if a.family and a.family == b.family and a.given == b.given:
        return MIDDLE_VARIANT
    words_a, words_b = a.folded.split(), b.folded.split()
    if sorted(words_a) == sorted(words_b):
        return REORDERED
    if _within_typo(a.folded, b.folded):
        return TYPO
    if a.given == b.given:
        return GIVEN_ONLY
    if _within_two_slips(a.folded, b.folded, words_a, words_b):
        return SIMILAR
    return DIFFERENT


def _within_two_slips(a: str, b: str, words_a: list[str], words_b: list[str]) -> bool:
    """Two slips apart, at least one of them making a word no Vietnamese syllable (Dũng/Đức are
    two names, Nguyan is a slip), in names of eight letters or more; or one side written as a
    single word that the other holds (the given name left out): close enough to weigh, never
    enough alone."""
    if len(words_a) == len(words_b):
        differing = [(x, y) for x, y in zip(words_a, words_b, strict=True) if x != y]
        if all(is_syllable(x) and is_syllable(y) for x, y in differing):
            return False
        return min(len(a), len(b)) >= 8 and edits.within(a, b, 2)
    shorter, longer = sorted((words_a, words_b), key=len)
    return len(shorter) == 1 and shorter[0] in longer


def _within_typo(a: str, b: str) -> bool:
    """One slip of the keyboard: one word of four letters or more differs by one edit (short
    words differ in meaning: An/Anh, Dũng/Đức, unless one of them is no Vietnamese syllable at
    all: Sơh, Abh, Myy), or the whole name differs by one character."""
    words_a, words_b = a.split(), b.split()
    if len(words_a) == len(words_b):
        differing = [(x, y) for x, y in zip(words_a, words_b, strict=True) if x != y]
        if len(differing) == 1:
            x, y = differing[0]
            if edits.distance(x, y) != 1:
                return False
            return min(len(x), len(y)) >= 4 or not (is_syllable(x) and is_syllable(y))
    return edits.within(a, b, 1)


@lru_cache(maxsize=4096)
def is_syllable(word: str) -> bool:
    """Whether a word can be said as one Vietnamese syllable, as written or (folded, its marks
    lost) with its vowels marked back: "nguyen" is Nguyễn, "soh" is nothing."""
    plain, tones = _split_tone(word.lower())
    if _shape(plain, tones) is not None:
        return True
    choices = [_REMARKED.get(char, char) for char in plain]
    return any(_shape("".join(letters), tones) for letters in product(*choices))


_REMARKED = {"a": "aăâ", "e": "eê", "o": "oôơ", "u": "uư", "d": "dđ"}


def has_marks(name: Name) -> bool:
    """Whether the name was written with Vietnamese diacritics (not folded to plain letters)."""
    return fold(name.exact) != name.exact


# Share of the population bearing each surname (approximate national figures). Hoàng/Huỳnh and
# Vũ/Võ are northern/southern spellings of one name and are only counted together, so each
# spelling is given the joint share: it errs towards treating an agreement as weaker evidence.
_SURNAME_SHARE = {
    "NGUYỄN": 0.384, "TRẦN": 0.121, "LÊ": 0.095, "PHẠM": 0.070, "HOÀNG": 0.051,
    "HUỲNH": 0.051, "PHAN": 0.045, "VŨ": 0.039, "VÕ": 0.039, "ĐẶNG": 0.021, "BÙI": 0.020,
    "ĐỖ": 0.014, "HỒ": 0.013, "NGÔ": 0.013, "DƯƠNG": 0.010, "LÝ": 0.005,
}  # fmt: skip
_COMMON_SURNAMES = frozenset(_SURNAME_SHARE) | frozenset(
    """CAO CHÂU CHU ĐÀO ĐINH ĐOÀN GIANG HÀ KIỀU LÂM LẠI LƯU LƯƠNG MAI MẠC NGHIÊM PHÙNG QUÁCH
    TẠ THÁI TÔ TÔN TRỊNH TRƯƠNG VƯƠNG""".split()
)  # also common, but with no reliable share: used only to read mojibake
_SHARE_BY_FOLDED = {fold(surname): share for surname, share in _SURNAME_SHARE.items()}
_COMMONEST_SHARE = _SHARE_BY_FOLDED["NGUYEN"]
_RARE_SHARE = 0.005  # at or below this, a shared surname is full evidence
_FLOOR = 0.05  # even Nguyễn agreeing is a little better than nothing


def _spellings() -> dict[str, int]:
    counts: dict[str, int] = {}
    for word in _COMMON_NAME_SYLLABLES:
        counts[fold(word)] = counts.get(fold(word), 0) + 1
    return counts


def ambiguous_without_marks(word_folded: str) -> bool:
    """Whether a name word written without diacritics could be more than one common name
    (HUNG: Hùng or Hưng; TUAN: Tuấn or Tuân; ANH: Anh or Ánh)."""
    return _SPELLINGS.get(word_folded, 0) > 1


def surname_weight(family_folded: str) -> float:
    """Evidence an agreeing surname carries, falling with the log of how common it is:
    Nguyễn 0.05, Trần 0.30, Lê 0.36, Phạm 0.42, Hoàng/Huỳnh 0.49, unlisted surnames 1.0."""
    family = fold(family_folded.strip())
    if not family:
        return 0.0
    share = _SHARE_BY_FOLDED.get(family, _RARE_SHARE)
    if share <= _RARE_SHARE:
        return 1.0
    commonness = math.log(share / _RARE_SHARE) / math.log(_COMMONEST_SHARE / _RARE_SHARE)
    return max(_FLOOR, 1.0 - (1.0 - _FLOOR) * commonness)


_SPELLINGS = _spellings()
