"""HTTP entrypoint of the statistics, for city leaders (every area) and ward health officers
(their own ward): completeness, visits by ICD-10 chapter and week, chronic conditions, the
reminders' effect. Every
answer passed the disclosure gate, says how fresh it is, and comes as CSV on `Accept: text/csv`
with a hidden figure written "suppressed"."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from hssk_kit.audit import AuditLog
from hssk_kit.auth import Principal
from hssk_kit.guard import audited
from hssk_kit.http import problem_response, responses
from hssk_records import metrics
from hssk_records import statistics_read as read
from hssk_records.statistics_read import StatsView

Reader = Annotated[
    Principal, audited("leader", "ward_officer", action="stats.read", refusals_only=True)
]
Level = Literal["ward", "province", "city", "district"]
Province = Annotated[str | None, Query(pattern=r"^[0-9]{2}$", description="province code")]
Ward = Annotated[str | None, Query(pattern=r"^[0-9]{5}$", description="commune/ward code")]
Week = Annotated[str | None, Query(pattern=r"^[0-9]{4}-W[0-5][0-9]$", description="2026-W49")]
AgeBand = Literal["0-17", "18-39", "40-59", "60-79", "80+", "unknown", "*"]  # tables.AGE_BANDS
Sex = Literal["male", "female", "other", "*"]
Condition = Literal[  # icd10.CONDITIONS
    "hypertension", "diabetes", "ischaemic_heart", "heart_failure", "stroke", "copd", "asthma",
    "kidney", "liver", "cancer", "epilepsy", "mental",
]  # fmt: skip
CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "the rows, or as CSV"}
}
NO_DISTRICTS = (
    "Cấp huyện đã bỏ từ 1/7/2025 (QĐ 19/2025/QĐ-TTg): dùng ward hoặc province. "
    "Districts were abolished on 1 July 2025: use ward or province."
)


def router(view: StatsView, audit: AuditLog, clock) -> APIRouter:
    api = APIRouter(prefix="/v1/stats", tags=["statistics"])

    async def answered(request: Request, run, who: Principal, level: str, *args, **kwargs) -> Any:
        if level == "district":
            return problem_response(
                422, "invalid_query", [{"field": "level", "rule": "no_districts",
                                        "message": NO_DISTRICTS, "value": "district"}],
            )  # fmt: skip
        as_csv = "text/csv" in request.headers.get("accept", "")
        key = (run.__name__, who.role, who.ward, level, args, tuple(sorted(kwargs.items())), as_csv)

        def answer() -> tuple[str, bytes]:  # pure over the figures: asked again after a change
            return _rendered(run(view, who, level, *args, **kwargs), as_csv)

        try:
            with metrics.STATS_QUERY.labels(run.__name__).time():
                media, body = view.cached(key, answer)
        except read.Refused as exc:
            await read.audit_refusal(audit, who, exc)
            raise HTTPException(
                exc.status, detail={"error": "forbidden", "message": str(exc)}
            ) from None
        return Response(body, media_type=media)

    @api.get("/completeness", responses={**responses(403, 422), **CSV})
    async def completeness(
        request: Request, who: Reader, level: Level = "ward", province: Province = None,
        ward: Ward = None,
    ) -> Any:  # fmt: skip
        """How complete records are on the 46 fields, per ward, province or the city: citizens,
        complete on all 46, the distribution of completeness, the items most often missing."""
        return await answered(request, read.completeness, who, level, province, ward)

    @api.get("/visits", responses={**responses(403, 422), **CSV})
    async def visits(
        request: Request,
        who: Reader,
        by: Literal["icd10_chapter"] = "icd10_chapter",
        period: Literal["week"] = "week",
        first: Annotated[Week, Query(alias="from")] = None,
        last: Annotated[Week, Query(alias="to")] = None,
        level: Level = "province",
        province: Province = None,
        ward: Ward = None,
    ) -> Any:
        """Visits by the chapter of their main diagnosis, week by week (ISO weeks, Viet Nam
        time; by default the last 12)."""
        recent = read.recent_weeks(clock())
        first, last = first or recent[0], last or recent[1]
        return await answered(request, read.visits, who, level, first, last, province=province,
                        ward=ward)  # fmt: skip

    @api.get("/conditions", responses={**responses(403, 422), **CSV})
    async def conditions(
        request: Request,
        who: Reader,
        by: Annotated[Level, Query(description="the level of areas")] = "ward",
        age_band: AgeBand = "*",
        sex: Sex = "*",
        condition: Condition | None = None,
        province: Province = None,
        ward: Ward = None,
    ) -> Any:
        """How many citizens live with each chronic condition, per 1,000 of the population of
        the same sex and age band (ages as of this year); rates from fewer than 20 people are
        flagged unstable."""
        return await answered(request, read.conditions, who, by, sex, age_band, condition=condition,
                        province=province, ward=ward)  # fmt: skip

    @api.get("/reminders", responses={**responses(403, 422), **CSV})
    async def reminders(
        request: Request,
        who: Reader,
        level: Level = "city",
        campaign: Annotated[
            str | None,
            Query(pattern=r"^[a-z_]+:[0-9]{4}-Q[1-4]$", description="incomplete_profile:2026-Q4"),
        ] = None,
        province: Province = None,
        ward: Ward = None,
    ) -> Any:
        """Reminders notify sent, delivered, failed or suppressed (on which channel, or why), per
        campaign; and how many completeness reminders were followed by the item filled, for
        the reminded and for the random hold-out that got nothing: whether reminders work."""
        return await answered(request, read.reminders, who, level, province, ward,
                              campaign=campaign)  # fmt: skip

    return api


def _rendered(answer: dict[str, Any], as_csv: bool) -> tuple[str, bytes]:
    if as_csv:
        return "text/csv; charset=utf-8", _csv(answer["rows"]).encode()
    return "application/json", json.dumps(answer, ensure_ascii=False).encode()


def _csv(rows: list[dict[str, Any]]) -> str:
    flat = [_flat(r) for r in rows]
    columns = list(dict.fromkeys(c for r in flat for c in r))
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat)
    return out.getvalue()


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, f"{name}."))
        elif isinstance(value, list):
            out[name] = "; ".join(f"{v.get('field')}={v.get('citizens')}" for v in value)
        else:
            out[name] = "suppressed" if value is None else value
    return out
