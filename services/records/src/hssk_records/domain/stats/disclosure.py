"""The disclosure gate every statistics output passes: small cells are suppressed, and so are
enough other cells that no hidden cell can be recovered from a visible total; rates are withheld
or flagged unstable. Pure: no I/O."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

Key = tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    min_count: int = 10  # cells with 1..min_count-1 are never shown
    unstable_below: int = 20  # a rate whose numerator is under this is flagged unstable

    def __post_init__(self) -> None:
        # 10 is the city's floor: a deployment may be stricter, never laxer.
        if self.min_count < 10:
            raise ValueError(f"min_count must be at least 10, got {self.min_count}")
        if self.unstable_below < self.min_count:
            raise ValueError(
                f"unstable_below ({self.unstable_below}) must be at least "
                f"min_count ({self.min_count})"
            )


@dataclass(frozen=True)
class Group:
    """`parts` sum to `total` (the caller guarantees it): e.g. the wards of a province and the
    province, or the age bands of a ward and the ward."""

    total: Key
    parts: tuple[Key, ...]


def suppressed(
    counts: Mapping[Key, int],
    groups: Iterable[Group],
    policy: Policy,
    hidden: Collection[Key] = (),
) -> frozenset[Key]:
    """The keys of `counts` that must not be shown.

    A key missing from `counts` counts as 0. `hidden` keys are never published but take part in
    groups as if suppressed; they are not in the result. Same input, same output, whatever the
    order of `groups` or of their parts."""
    negative = sorted(key for key, n in counts.items() if n < 0)
    if negative:
        raise ValueError(f"counts must not be negative: {negative[:3]}")
    hide = frozenset(hidden)
    ordered = _canonical(groups)
    # Which groups each key takes part in, so a new suppression re-checks only those groups.
    touching: dict[Key, list[int]] = {}
    for index, group in enumerate(ordered):
        for key in (group.total, *group.parts):
            touching.setdefault(key, []).append(index)
    dark = set(hide)
    dark.update(key for key, n in counts.items() if 0 < n < policy.min_count)
    queue = deque(range(len(ordered)))
    queued = [True] * len(ordered)

    def costly(key: Key) -> bool:
        """Whether hiding `key` forces more hiding elsewhere: in a group it would be the only
        hidden part with nothing beside it (its total would have to go, and up the hierarchy),
        or it totals a group whose parts are all shown (one of them would have to go)."""
        for other in touching.get(key, ()):
            g = ordered[other]
            positive = [p for p in g.parts if p != key and counts.get(p, 0) > 0]
            if g.total == key:
                if positive and not any(p in dark for p in positive):
                    return True
            elif g.total not in dark and not positive:
                return True
        return False

    while queue:
        index = queue.popleft()
        queued[index] = False
        victim = _next_victim(ordered[index], counts, dark, hide, policy.min_count, costly)
        if victim is None:
            continue
        dark.add(victim)
        # Includes this group itself: one more suppression may not be enough to make it safe.
        for other in touching.get(victim, ()):
            if not queued[other]:
                queued[other] = True
                queue.append(other)
    return frozenset(dark - hide)


def _canonical(groups: Iterable[Group]) -> list[Group]:
    """Groups deduplicated and sorted, parts sorted: which cell is suppressed depends on the
    order groups are checked in, and that must not depend on the caller's order."""
    unique = {(g.total, tuple(sorted(set(g.parts) - {g.total}))) for g in groups}
    return [Group(total, parts) for total, parts in sorted(unique)]


def _next_victim(
    group: Group,
    counts: Mapping[Key, int],
    dark: set[Key],
    hide: frozenset[Key],
    min_count: int,
    costly: Callable[[Key], bool],
) -> Key | None:
    """The next key to suppress for `group`, or None if it is safe as it stands."""
    mass, members, member = 0, 0, group.total
    shown: list[tuple[int, Key]] = []
    for part in group.parts:
        n = counts.get(part, 0)
        if n <= 0:
            continue  # a zero is shown and recovers nothing
        if part in dark:
            mass, members = mass + n, members + 1
            member = part
        else:
            shown.append((n, part))
    if group.total in dark:
        # A suppressed total is the sum of its parts: if every positive part is shown, it is
        # not hidden at all (and, recovered, it would expose its partner in the parent group).
        if members or not shown or group.total in hide:
            return None  # otherwise its own parent group protects it
        return _partner(shown, costly)
    if mass == 0:
        return None
    # total - visible parts = mass: it must not be small, and must not be one published cell
    # (a cell suppressed only to protect another group would be recovered, exposing that group).
    if mass >= min_count and (members >= 2 or member in hide):
        return None
    # No shown part can help: hide the total too; its parent group protects it in turn.
    return _partner(shown, costly) if shown else group.total


def _partner(shown: list[tuple[int, Key]], costly: Callable[[Key], bool]) -> Key:
    """The smallest shown part whose hiding forces nothing more, else the smallest."""
    ranked = sorted(shown)
    return next((key for _, key in ranked if not costly(key)), ranked[0][1])


@dataclass(frozen=True)
class Rate:
    value: float | None  # None when the numerator or the denominator is suppressed, or no base
    unstable: bool


def rate(numerator: int | None, denominator: int | None, policy: Policy, per: int = 1000) -> Rate:
    """numerator / denominator * per, to one decimal. None stands for a suppressed count; a count
    of 1..min_count-1 is treated as suppressed too, since the rate and the other count would
    give it back."""
    if per <= 0:
        raise ValueError(f"per must be positive, got {per}")
    if any(n is not None and n < 0 for n in (numerator, denominator)):
        raise ValueError("counts must not be negative")
    value: float | None = None
    if (
        numerator is not None
        and denominator is not None
        and denominator > 0
        and not 0 < numerator < policy.min_count
        and not denominator < policy.min_count
    ):
        value = round(numerator / denominator * per, 1)
    unstable = value is None or numerator is None or numerator < policy.unstable_below
    return Rate(value, unstable)
