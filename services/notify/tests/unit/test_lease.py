"""The scheduler's lease among replicas: one holder per term, kept without a gap while it
lives, taken over by another replica in the term after it dies; and only the holder's scheduler
dispatches."""

from __future__ import annotations

import asyncio

from notify_world import World

from hssk_kit.fakes import RecordingPublish
from hssk_notify.adapters.memory import InMemoryDueIndex
from hssk_notify.lease import Lease
from hssk_notify.scheduler import Scheduler


class Time:
    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


async def test_one_holder_per_term_kept_while_alive_and_taken_over_after():
    due, t = InMemoryDueIndex(), Time(3000.0)  # the start of term 100
    a, b = Lease(due, "a", real=t), Lease(due, "b", real=t)
    assert await a.hold() and not await b.hold()
    t.at = 3021.0  # the last third: a takes the next term too
    assert await a.hold() and a.held()
    t.at = 3035.0
    assert not await b.hold() and await a.hold()  # no gap b could slip into
    t.at = 3058.5  # a dies here: it never asks again, and stops before its terms end
    assert not a.held()
    t.at = 3061.0  # term 102: nobody took it for a
    assert await b.hold() and b.held()
    assert not await a.hold()  # a back from a pause: it leads no more


async def test_only_the_holders_scheduler_dispatches():
    world = World(RecordingPublish())
    await world.contact()
    await world.change()
    t = Time(6000.0)
    follower = Scheduler(
        stores=world.stores,
        dispatch=world.scheduler._dispatch,
        schedule=world.scheduler._schedule,
        clock=lambda: world.now,
        lease=Lease(world.stores.due, "follower", real=t),
    )
    leader_lease = Lease(world.stores.due, "leader", real=t)
    assert await leader_lease.hold()
    assert await follower.step() == 0 and world.messages() == []
    t.at = 6090.0  # the leader is gone: the follower leads and sends, once
    assert await follower.step() == 1
    await follower.step()  # the minute read again: its task is final, nothing goes twice
    assert len(world.messages()) == 1


async def test_the_scheduler_rides_out_a_database_outage():
    from pymongo.errors import AutoReconnect

    class Flaky:
        def __init__(self) -> None:
            self.asked = 0

        async def hold(self) -> bool:
            self.asked += 1
            if self.asked == 1:
                raise AutoReconnect("127.0.0.1:27017: connection reset")
            return False

        def held(self) -> bool:
            return False

    world, lease = World(RecordingPublish()), Flaky()
    scheduler = Scheduler(stores=world.stores, dispatch=world.scheduler._dispatch,
                          schedule=world.scheduler._schedule, clock=lambda: world.now,
                          tick_s=0.01, lease=lease)  # fmt: skip
    try:
        await asyncio.wait_for(scheduler.run(), 0.2)
    except TimeoutError:
        pass  # still running: the outage did not stop it
    assert lease.asked > 2
