"""The durable scheduler: a worker that reads the due minutes from its cursor up to now by `_id`
and dispatches their tasks, and once a day (from 06:00 Vietnam time) sweeps every citizen's state
to plan what a new day or week calls for. Both cursors are stored, so a restart resumes where the
last run stopped; a task dispatched twice is a no-op the second time (its status is final)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta

from hssk_notify import metrics
from hssk_notify.domain.state import CitizenState
from hssk_notify.domain.tasks import plan
from hssk_notify.domain.window import VN
from hssk_notify.stores import Stores, minute, next_minute

log = logging.getLogger(__name__)
Dispatch = Callable[[str, datetime], Awaitable[str]]
Schedule = Callable[..., Awaitable[int]]
SWEEP_FROM = time(6)
SWEEP_BATCH = 500
PARALLEL = 32
MINUTES_PER_TICK = 2 * 24 * 60  # more than the first look back
FIRST_LOOK_BACK = timedelta(days=1)
# A task planned at 10:00:59 may reach its minute's bucket a moment after 10:01:00; the scheduler
# reads a minute until this long after it ended before passing it for good.
SETTLE = timedelta(seconds=15)  # tasks of one minute in flight at once (different citizens)


class Scheduler:
    def __init__(
        self,
        *,
        stores: Stores,
        dispatch: Dispatch,
        schedule: Schedule,
        clock: Callable[[], datetime],
        tick_s: float = 1.0,
    ):
        self._stores, self._dispatch, self._schedule = stores, dispatch, schedule
        self._clock, self._tick_s = clock, tick_s
        self._woken = asyncio.Event()
        self._gate = asyncio.Semaphore(PARALLEL)

    def wake(self) -> None:
        self._woken.set()

    async def check(self) -> None:
        """Ready as soon as the loop runs (a slow sweep is lag, not unreadiness)."""

    async def run(self) -> None:
        while True:
            self._woken.clear()
            await self.tick()
            try:
                await asyncio.wait_for(self._woken.wait(), self._tick_s)
            except TimeoutError:
                pass

    async def tick(self) -> int:
        """Dispatch everything due up to now, then sweep if today's sweep is owed."""
        now = self._clock()
        done = await self.dispatch_due(now)
        await self.sweep_if_due(now)
        return done

    async def dispatch_due(self, now: datetime) -> int:
        current = minute(now)
        settled = minute(now - SETTLE)  # minutes before it take no more tasks: they may be passed
        at = await self._stores.due.cursor("dispatch") or minute(now - FIRST_LOOK_BACK)
        if at > current:  # the clock was set back (NTP, a test): its minutes are read again
            at = current
            await self._stores.due.move("dispatch", at)
        done = 0
        for _ in range(MINUTES_PER_TICK):  # after a long outage: two days of minutes a tick
            ids = await self._stores.due.due(at)
            results = await asyncio.gather(
                *(self._one(task_id, now) for task_id in ids), return_exceptions=True
            )
            failed = [r for r in results if isinstance(r, BaseException)]
            done += len(ids) - len(failed)
            if failed:  # a store or a provider adapter broke: this minute again next tick
                metrics.DISPATCH_ERRORS.inc(len(failed))
                log.error("dispatch failed; the minute is tried again", exc_info=failed[0],
                          extra={"minute": at, "failed": len(failed)})  # fmt: skip
                break
            if at < settled:  # a minute that may still receive tasks is read again next tick
                await self._stores.due.move("dispatch", next_minute(at))
            if at >= current:
                break
            at = next_minute(at)
        metrics.SCHEDULER_LAG.set(max(0.0, (now - _start_of(at)).total_seconds()))
        return done

    async def _one(self, task_id: str, now: datetime) -> None:
        async with self._gate:
            await self._dispatch(task_id, now)

    async def sweep_if_due(self, now: datetime) -> int:
        local = now.astimezone(VN)
        if local.time() < SWEEP_FROM:
            return 0
        day = local.date().isoformat()
        done = await self._stores.due.cursor(f"sweep:{day}")
        if done == "done":
            return 0
        return await self.sweep(now, day, after=done or "")

    async def sweep(self, now: datetime, day: str, after: str = "") -> int:
        """Plan for every citizen's state, in person_id order, saving the cursor per batch."""
        planned = 0
        async for batch in self._stores.states.batches(SWEEP_BATCH, after):
            owed = [s for s in batch if any(t.id not in s.tasks for t in plan(s, now, ""))]
            # most days nothing is new for a citizen (no second read); the others in parallel
            planned += sum(await asyncio.gather(*(self._plan_one(s, now, day) for s in owed)))
            metrics.SWEPT.inc(len(batch))
            await self._stores.due.move(f"sweep:{day}", batch[-1].person_id)
        await self._stores.due.move(f"sweep:{day}", "done")
        log.info("daily sweep done", extra={"day": day, "planned": planned})
        return planned

    async def _plan_one(self, state: CitizenState, now: datetime, day: str) -> int:
        async with self._stores.locks.hold(state.person_id):
            fresh = await self._stores.states.get(state.person_id) or state
            return await self._schedule(fresh, plan(fresh, now, f"sweep:{day}"), now)


def _start_of(key: str) -> datetime:
    return datetime.strptime(key, "%Y-%m-%dT%H:%M").replace(tzinfo=UTC)
