"""Phone numbers compared as numbers: one canonical E.164 form ("+84912345678") for however a
hospital or a registry wrote it ("0912 345 678", "+84 912 345 678", "84912345678"), with
Viet Nam's two renumberings undone (docs/domain.md, Phone numbers):
- mobile, 2018: the eleven-digit prefixes 012x/016x/018x/0199 became ten-digit 03x/05x/07x/08x
  (0166 234 5678 is 036 234 5678);
- landline, 2017: the area codes gained a digit (Hà Nội 04 -> 024). Hồ Chí Minh City's old
  08 + eight digits cannot be undone: it reads the same as today's 08x mobile numbers, which is
  what it is taken for.
A number that is not a possible Vietnamese (or international) number is no number: None, so it
is never compared, rather than compared wrongly. Pure: `phonenumbers` (Google's libphonenumber
metadata) does the parsing and validity checks."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

# The 2018 mobile move: old three-digit prefix after the trunk 0 -> new two-digit one.
MOBILE_2018 = {
    "162": "32", "163": "33", "164": "34", "165": "35", "166": "36", "167": "37", "168": "38",
    "169": "39",  # Viettel
    "120": "70", "121": "79", "122": "77", "126": "76", "128": "78",  # MobiFone
    "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",  # VinaPhone
    "186": "56", "188": "58",  # Vietnamobile
    "199": "59",  # Gmobile
}  # fmt: skip
# The 2017 landline move where it can be undone: no mobile number begins 04 (08 does).
LANDLINE_2017 = {"4": "24"}
NOT_DIGITS = re.compile(r"[^\d+]")


@lru_cache(maxsize=65_536)
def canonical(raw: str | None) -> str | None:
    """The number in E.164, or None when it is no possible number."""
    if not raw:
        return None
    national = _renumbered(_national(NOT_DIGITS.sub("", raw)))
    try:
        number = phonenumbers.parse(national, "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _national(digits: str) -> str:
    """A Vietnamese number in its national form ("0…"), whichever way it came; another
    country's number as it came (with its +)."""
    if digits.startswith("+84"):
        return "0" + digits[3:]
    if digits.startswith("0084"):
        return "0" + digits[4:]
    if digits.startswith("84") and len(digits) in (11, 12):  # 84 + 9 or 10 national digits
        return "0" + digits[2:]
    return digits


def _renumbered(national: str) -> str:
    if not national.startswith("0"):
        return national
    if len(national) == 11 and national[1:4] in MOBILE_2018:  # 01xx xxx xxxx
        return "0" + MOBILE_2018[national[1:4]] + national[4:]
    if len(national) == 10 and national[1] in LANDLINE_2017:  # 0[48] xxxx xxxx
        return "0" + LANDLINE_2017[national[1]] + national[2:]
    return national
