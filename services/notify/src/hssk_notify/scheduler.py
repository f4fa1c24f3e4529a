"""The durable scheduler: a worker that reads the due minutes from its cursor up to now by `_id`
and dispatches their tasks, and once a day (from 06:00 Vietnam time) sweeps every citizen's state
for what a new day or week calls for. Both cursors are stored, so a restart resumes where the
last run stopped; a task dispatched twice is a no-op the second time (its status is final).

The sweep plans lazily: a citizen owed something new gets only an entry "plan:<day>:<person>" in
a due minute (one write per batch of 500 citizens, not four writes each), spread over the first
two hours the sending window is open; when that minute falls due, the citizen's tasks are planned
from their state as it is then, and those due are dispatched at once. So a Monday, when every
incomplete citizen is owed a new week's reminder, sweeps as fast as a quiet day."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta

from hssk_kit.messages import transient
from hssk_notify import metrics
from hssk_notify.domain.tasks import plan
from hssk_notify.domain.window import VN, next_open
from hssk_notify.lease import Always, Lease
from hssk_notify.stores import Stores, minute, next_minute

log = logging.getLogger(__name__)
Dispatch = Callable[[str, datetime], Awaitable[str]]
Schedule = Callable[..., Awaitable[int]]
SWEEP_FROM = time(6)
SWEEP_BATCH = 500
PLAN = "plan:"  # a due entry that plans a citizen's tasks: "plan:<day>:<person_id>"
SPREAD = 120  # the sweep's plans are spread over this many minutes from the window's opening
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
        lease: Lease | Always | None = None,
    ):
        self._stores, self._dispatch, self._schedule = stores, dispatch, schedule
        self._clock, self._tick_s = clock, tick_s
        self._lease = lease or Always()  # replicas share the work through a Lease
        self._woken = asyncio.Event()
        self._gate = asyncio.Semaphore(PARALLEL)

    def wake(self) -> None:
        self._woken.set()

    async def check(self) -> None:
        """Ready as soon as the loop runs (a slow sweep is lag, not unreadiness)."""

    async def run(self) -> None:
        """Step for ever; while the database is away (the lease or a cursor cannot be read) the
        next step tries again, instead of the worker stopping."""
        while True:
            self._woken.clear()
            try:
                await self.step()
            except Exception as exc:
                if not transient(exc):
                    raise
                metrics.DISPATCH_ERRORS.inc()
                log.warning("scheduler step failed; trying again",
                            extra={"error": type(exc).__name__})  # fmt: skip
            try:
                await asyncio.wait_for(self._woken.wait(), self._tick_s)
            except TimeoutError:
                pass

    async def step(self) -> int:
        """One turn of the loop: a tick if this replica holds the lease, else nothing."""
        return await self.tick() if await self._lease.hold() else 0

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
            if not self._lease.held():
                break  # another replica may lead by now: the next tick asks again
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
            if task_id.startswith(PLAN):
                day, person_id = task_id.removeprefix(PLAN).split(":", 1)
                await self._plan_and_send(person_id, now, day)
            else:
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
        """Every citizen's state, in person_id order: those owed a new task get a plan entry in
        a due minute (saved per batch, with the cursor). Answers how many are owed."""
        owed_count, n = 0, 0
        async for batch in self._stores.states.batches(SWEEP_BATCH, after):
            if not self._lease.held():
                return owed_count  # the cursor is saved: whoever leads next resumes
            # most days nothing is new for a citizen: their state is all it costs
            owed = [s for s in batch if any(t.id not in s.tasks for t in plan(s, now, ""))]
            at = minute(next_open(now) + timedelta(minutes=n % SPREAD))
            n += 1
            # added together: the due index writes them in one command
            await asyncio.gather(
                *(self._stores.due.add(at, f"{PLAN}{day}:{s.person_id}") for s in owed)
            )
            owed_count += len(owed)
            metrics.SWEPT.inc(len(batch))
            await self._stores.due.move(f"sweep:{day}", batch[-1].person_id)
        await self._stores.due.move(f"sweep:{day}", "done")
        log.info("daily sweep done", extra={"day": day, "owed": owed_count})
        return owed_count

    async def _plan_and_send(self, person_id: str, now: datetime, day: str) -> None:
        """A sweep's plan entry fell due: plan from the state as it is now (a change since may
        have planned or resolved it), then dispatch what is due rather than wait a tick."""
        async with self._stores.locks.hold(person_id):
            state = await self._stores.states.get(person_id)
            if state is None:
                return
            wanted = plan(state, now, f"sweep:{day}")
            await self._schedule(state, wanted, now, index_due=False)
        # every task due, new or not: after a crash this entry is read again and sends what
        # the last run planned but did not send (a task already final is a no-op)
        for task in wanted:
            if task.due_at <= now:
                await self._dispatch(task.id, now)


def _start_of(key: str) -> datetime:
    return datetime.strptime(key, "%Y-%m-%dT%H:%M").replace(tzinfo=UTC)
