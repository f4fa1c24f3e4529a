"""The HTTP boundary's one validation step, before any route runs: bodies are bounded, JSON
bodies are valid UTF-8 JSON whose every string is valid text (`hssk_contracts.text`), and the
path and query hold no refused characters. Anything else is answered here with 413 or 422."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hssk_contracts import text
from hssk_contracts.problems import DecodeError, Problem
from hssk_kit.http_errors import error_response, problem_response

MAX_BODY = 5 * 1024 * 1024 + 64 * 1024  # a 5 MiB QĐ 130 bundle plus its envelope


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            kind = value.split(b";", 1)[0].strip().lower()
            return kind == b"application/json" or kind.endswith(b"+json")
    return False


def _url_problems(scope: Scope) -> list[Problem]:
    problems = []
    if why := text.refusal(scope.get("path", "")):
        problems.append(Problem("path", "text_invalid", why, text.shown(scope["path"])))
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if why := text.refusal(name + value):
            problems.append(Problem(f"query.{text.shown(name)}", "text_invalid", why))
    return problems


class BoundaryGuard:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if problems := _url_problems(scope):
            await problem_response(422, "invalid_request", problems)(scope, receive, send)
            return
        body, more = await self._read(receive)
        if more:
            message = f"the body is larger than {self.max_body} bytes"
            await error_response(413, "payload_too_large", message)(scope, receive, send)
            return
        if body and _is_json(scope):
            try:
                text.loads(body)
            except DecodeError as exc:
                await problem_response(422, "invalid_json", exc.problems)(scope, receive, send)
                return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> tuple[bytes, bool]:
        """The whole body, or (what was read, True) once it passes the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks), False
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return b"", True
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), False


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # e.g. http.disconnect

    return replay
