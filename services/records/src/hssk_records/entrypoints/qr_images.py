"""QR codes as images with segno (pure Python, no imaging library): PNG for a phone screen, SVG
for printing household sheets. Error correction M: a printed code survives a fold or a smudge."""

from __future__ import annotations

import base64
import io

import segno
from fastapi.responses import Response


def _png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def svg(url: str) -> str:
    out = io.BytesIO()
    # A viewBox and no fixed size: it fills whatever it is printed or shown in, whole.
    segno.make(url, error="m").save(
        out, kind="svg", scale=8, border=4, xmldecl=False, omitsize=True
    )
    return out.getvalue().decode()


def png_base64(url: str) -> str:
    return base64.b64encode(_png(url)).decode()


def response(url: str, fmt: str) -> Response:
    if fmt == "png":
        return Response(_png(url), status_code=201, media_type="image/png")
    return Response(svg(url), status_code=201, media_type="image/svg+xml")
