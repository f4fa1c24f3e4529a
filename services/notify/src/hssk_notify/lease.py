"""Which notify replica runs the scheduler: the holder of the current lease term. Terms are
fixed slices of the real clock (30 s); a term is taken by creating its document (a unique `_id`,
atomic on every engine, where FerretDB v1 would lose one of two concurrent updates). The holder
takes the next term in the last third of its own, so it keeps the lease without a gap; when it
dies, nobody takes the next term for it, and the first replica to tick in that term leads.

A holder stops its work (at a due minute's or a sweep batch's boundary) a moment before its
last term ends, so two schedulers overlap at most by one minute's dispatch already under way;
a task dispatched twice is a no-op the second time, and providers honour the same key."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from hssk_notify import metrics
from hssk_notify.ports import DueIndex

TERM_S = 30
MARGIN_S = 3  # stop this long before the lease ends
KEPT_TERMS = 10  # older terms are deleted by their holder


def holder_name() -> str:
    """The host (a Kubernetes pod's name): a process restarted in the same pod takes its lease
    straight back instead of waiting for the term to pass. Replicas are separate pods."""
    return socket.gethostname()


class Lease:
    def __init__(
        self,
        due: DueIndex,
        holder: str,
        *,
        real: Callable[[], float] = time.time,
        term_s: int = TERM_S,
        name: str = "scheduler",
    ) -> None:
        self._due, self.holder, self._real, self._term_s = due, holder, real, term_s
        self._name = name
        self._until = 0.0

    def _term(self, n: int) -> str:
        return f"{self._name}@{n}"

    async def hold(self) -> bool:
        """Keep or take the lease for the current term; whether this replica holds it."""
        now = self._real()
        term = int(now // self._term_s)
        if await self._due.claim(self._term(term), self.holder) != self.holder:
            self._until = 0.0
            metrics.SCHEDULER_LEADER.set(0)
            return False
        self._until = (term + 1) * self._term_s
        if now - term * self._term_s >= self._term_s * 2 / 3:
            if await self._due.claim(self._term(term + 1), self.holder) == self.holder:
                self._until = (term + 2) * self._term_s
                await self._due.forget(self._term(term - KEPT_TERMS))
        metrics.SCHEDULER_LEADER.set(1)
        return True

    def held(self) -> bool:
        """Still safely inside the terms this replica holds."""
        return self._real() < self._until - MARGIN_S


class Always:
    """The lease of a single scheduler (tests, tools): always held."""

    async def hold(self) -> bool:
        return True

    def held(self) -> bool:
        return True
