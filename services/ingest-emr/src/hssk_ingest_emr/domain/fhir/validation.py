"""Validate a FHIR Bundle with fhir.resources (R4B models): the Bundle shell and each entry's
resource apart, so that paths and failures stay local."""

from __future__ import annotations

import re
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

from hssk_contracts.codec import Problem
from hssk_ingest_emr.domain.fhir.context import _Ctx

BUNDLE_TYPES = frozenset({"collection", "transaction", "document"})
_NAIVE_DATETIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$"
)


def _validate(doc: dict[str, Any], ctx: _Ctx) -> Any | None:
    """Validate the Bundle shell and each entry's resource apart: paths and failures stay local."""
    entries = doc.get("entry")
    if not isinstance(entries, list):
        return _model(Bundle, doc, "Bundle", ctx)
    shell = [{k: v for k, v in e.items() if k != "resource"} if isinstance(e, dict) else e
             for e in entries]  # fmt: skip
    bundle = _model(Bundle, {**doc, "entry": shell}, "Bundle", ctx)
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        where = f"Bundle.entry[{i}].resource"
        if not isinstance(resource, dict):
            ctx.problem(where, "required", "each entry must carry a resource object")
            continue
        kind = resource.get("resourceType")
        klass = _resource_class(kind)
        if klass is None or not isinstance(kind, str):
            shown = kind if isinstance(kind, str) else None
            message = f"{kind!r} is not a FHIR R4 resource type"
            ctx.problem(f"{where}.resourceType", "resource_type", message, shown)
            continue
        model = _model(klass, resource, where, ctx)
        if model is None:
            ctx.invalid_types.add(kind)
        else:
            ctx.add(i, entry.get("fullUrl"), model)
    if bundle is not None and bundle.type not in BUNDLE_TYPES:
        message = f"Bundle.type must be one of {sorted(BUNDLE_TYPES)}"
        ctx.problem("Bundle.type", "bundle_type", message, bundle.type)
    return bundle


def _resource_class(kind: Any) -> type[Any] | None:
    if not isinstance(kind, str) or kind == "Bundle":
        return None
    try:
        klass = get_fhir_model_class(kind)
    except ValueError:
        return None
    return klass if issubclass(klass, Resource) else None


def _model(klass: type[Any], data: dict[str, Any], root: str, ctx: _Ctx) -> Any | None:
    try:
        return klass.model_validate(data)
    except ValidationError as exc:
        ctx.problems.extend(_library_problem(root, err) for err in exc.errors(include_url=False))
    except (ValueError, KeyError, TypeError) as exc:  # e.g. an unknown type in `contained`
        ctx.problem(root, "fhir_invalid", f"not valid FHIR R4: {exc!r}")
    return None


def _library_problem(root: str, err: Any) -> Problem:
    where = root + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
    value = err.get("input")
    shown = None if value is None or isinstance(value, dict | list) else str(value)[:200]
    if isinstance(value, str) and _NAIVE_DATETIME.fullmatch(value):
        message = f"{value!r} has a time but no timezone offset, e.g. 2026-11-18T14:00:00+07:00"
        return Problem(where, "timezone_required", message, shown)
    rule = "required" if err["type"].endswith("missing") else "fhir_invalid"
    return Problem(where, rule, f"not valid FHIR R4: {err['msg']}", shown)
