"""Text that crosses a boundary (Kafka bytes, HTTP bodies, paths, queries, token claims) must be
valid Unicode a person could have typed: no lone UTF-16 surrogates (they cannot be encoded as
UTF-8, so storing, logging or dead-lettering them fails), no control characters other than tab
and line breaks, no noncharacters. Checked once where bytes become values; `shown` makes any
value safe to echo back in an error, a log line or a dead letter.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from hssk_contracts.problems import DecodeError, Problem

# C0 controls but tab, LF and CR; DEL and the C1 controls; surrogates; the two noncharacters.
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# What in raw JSON bytes can decode to a refused character: a \u escape of one, or DEL / C1 /
# U+FFFE / U+FFFF written raw (JSON itself refuses raw C0 controls inside strings). Only a match
# walks the parsed document, so clean input costs one regex scan.
_SUSPECT = re.compile(
    rb"\\u(?:[dD][89a-fA-F]|00[01]|007[fF]|00[89]|[fF]{3}[eEfF])|\x7f|\xc2[\x80-\x9f]|\xef\xbf[\xbe\xbf]"
)
SHOWN_MAX = 200


def refusal(text: str) -> str | None:
    """Why `text` is refused (naming the first offending character and where), or None."""
    found = _REFUSED.search(text)
    if found is None:
        return None
    char = found.group()
    what = (
        "a lone UTF-16 surrogate, which is not valid Unicode"
        if "\ud800" <= char <= "\udfff"
        else "a noncharacter"
        if char in "\ufffe\uffff"
        else "a control character"
    )
    return f"contains U+{ord(char):04X} ({what}) at character {found.start() + 1}"


def check(text: str) -> str:
    """`text` unchanged, or ValueError saying what is wrong (for pydantic validators)."""
    why = refusal(text)
    if why:
        raise ValueError(why)
    return text


def has_letter(text: str) -> bool:
    return any(unicodedata.category(c).startswith("L") for c in text)


def problems_in(doc: Any, path: str = "") -> list[Problem]:
    """Every string (keys included) in a parsed JSON document that is refused, by path."""
    problems: list[Problem] = []
    stack: list[tuple[str, Any]] = [(path, doc)]
    while stack and len(problems) < 20:
        where, value = stack.pop()
        if isinstance(value, str):
            why = refusal(value)
            if why:
                problems.append(Problem(where or "$", "text_invalid", why, shown(value)))
        elif isinstance(value, dict):
            for key, item in value.items():
                at = f"{where}.{key}" if where else str(key)
                if why := refusal(str(key)):
                    problems.append(Problem(shown(at) or "$", "text_invalid", f"a name {why}"))
                    continue
                stack.append((at, item))
        elif isinstance(value, list):
            stack.extend((f"{where}.{i}" if where else str(i), v) for i, v in enumerate(value))
    return sorted(problems, key=lambda p: p.field)


def _reject_constant(name: str) -> None:
    raise json.JSONDecodeError(f"{name} is not a JSON number", name, 0)


def loads(raw: bytes | str) -> Any:
    """Parse JSON from outside: valid UTF-8, no NaN/Infinity, no refused characters in any
    string. Raises DecodeError naming each problem (a syntax error at "$", with line and column)."""
    try:
        doc = json.loads(raw, parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start + 1}"
        message = f"not valid UTF-8 ({exc.reason} at {where}); send UTF-8 encoded JSON"
        raise DecodeError([Problem("$", "json_invalid", message)]) from None
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise DecodeError([Problem("$", "json_invalid", message)]) from None
    except RecursionError:
        raise DecodeError([Problem("$", "json_too_deep", "JSON nested too deeply")]) from None
    suspect = _SUSPECT.search(raw if isinstance(raw, bytes) else raw.encode("utf-8", "replace"))
    if suspect is not None:
        problems = problems_in(doc)
        if problems:
            raise DecodeError(problems)
    return doc


def shown(value: Any) -> str | None:
    """`value` as text that can always be encoded, logged and sent back: refused characters
    escaped (\\ud800), bytes decoded with escapes, at most 200 characters; None for containers."""
    if value is None or isinstance(value, dict | list | tuple | set):
        return None
    if isinstance(value, bytes | bytearray):
        text = bytes(value[: SHOWN_MAX * 4]).decode("utf-8", "backslashreplace")
    else:
        text = value if isinstance(value, str) else str(value)
    text = _REFUSED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 1] + "…"
