"""The citizen's reminder preferences from what they send: each wrong value refused with what,
where and why in Vietnamese (English beside it), and nothing changed."""

from __future__ import annotations

import re
from typing import Any

from hssk_notify.domain.messages import LADDER
from hssk_notify.domain.state import Preferences

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,24}$")
KNOWN = {"channels", "opt_out", "language", "email", "push_token"}
CHANNEL_WORDS = "app, zalo, sms, email"


def problem(field: str, rule: str, vi: str, en: str, value: Any = None) -> dict[str, Any]:
    shown = None if value is None else str(value)[:100]
    return {"field": field, "rule": rule, "message": vi, "message_en": en, "value": shown}


def parse(body: Any, current: Preferences) -> tuple[Preferences | None, list[dict[str, Any]]]:
    """The preferences after `body` (fields left out keep their value), or the problems."""
    if not isinstance(body, dict):
        return None, [problem("$", "type", "Nội dung gửi lên phải là một đối tượng JSON.",
                              "The body must be a JSON object.")]  # fmt: skip
    problems = [
        problem(k, "unknown", f"Không có mục cài đặt '{k}'.", f"No setting named '{k}'.")
        for k in body
        if k not in KNOWN
    ]
    update: dict[str, Any] = {}
    for name, check in CHECKS.items():
        if name in body:
            value, found = check(body[name])
            problems += found
            update[name] = value
    if problems:
        return None, problems
    return current.model_copy(update=update), []


def _channels(value: Any) -> tuple[Any, list[dict[str, Any]]]:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        vi = f"Kênh nhận tin là một danh sách: {CHANNEL_WORDS}."
        return None, [problem("channels", "type", vi,
                              f"Channels are a list of: {CHANNEL_WORDS}.", value)]  # fmt: skip
    wrong = [c for c in value if c not in LADDER]
    if wrong or len(set(value)) != len(value):
        return None, [problem("channels", "one_of", f"Kênh không hợp lệ hoặc bị lặp; chọn trong: "
                              f"{CHANNEL_WORDS}.", f"Unknown or repeated channel; choose from: "
                              f"{CHANNEL_WORDS}.", wrong or value)]  # fmt: skip
    return tuple(value), []


def _opt_out(value: Any) -> tuple[Any, list[dict[str, Any]]]:
    if not isinstance(value, bool):
        return None, [problem("opt_out", "type", "Chọn có (true) hoặc không (false).",
                              "Use true or false.", value)]  # fmt: skip
    return value, []


def _language(value: Any) -> tuple[Any, list[dict[str, Any]]]:
    if value not in ("vi", "en"):
        return None, [problem("language", "one_of", "Ngôn ngữ là 'vi' (tiếng Việt) hoặc 'en'.",
                              "Language is 'vi' or 'en'.", value)]  # fmt: skip
    return value, []


def _email(value: Any) -> tuple[Any, list[dict[str, Any]]]:
    if value is None or value == "":
        return None, []
    if not isinstance(value, str) or not EMAIL.match(value):
        return None, [problem("email", "format", "Địa chỉ email không đúng dạng, ví dụ: "
                              "ten@example.com.", "Not an e-mail address.", value)]  # fmt: skip
    return value, []


def _push_token(value: Any) -> tuple[Any, list[dict[str, Any]]]:
    if value is None or value == "":
        return None, []
    if not isinstance(value, str) or not 8 <= len(value) <= 4096 or not value.isprintable():
        return None, [problem("push_token", "format", "Mã thiết bị của ứng dụng không hợp lệ.",
                              "Not a device token.", value)]  # fmt: skip
    return value, []


CHECKS = {"channels": _channels, "opt_out": _opt_out, "language": _language, "email": _email,
          "push_token": _push_token}  # fmt: skip
