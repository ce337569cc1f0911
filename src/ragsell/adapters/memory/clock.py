from datetime import UTC, datetime, timedelta

from ragsell.application.ports.system import Clock


class ManualClock(Clock):
    """A clock that moves only when told: the harness's way to let sessions expire or periods end."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, by: timedelta) -> None:
        self._now += by
