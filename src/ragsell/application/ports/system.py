from datetime import datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""


class IdGenerator(Protocol):
    def new_id(self) -> str:
        """A random identifier of 132 bits, 22 url-safe characters."""

    def secret_token(self) -> str:
        """A random secret of 256 bits, url-safe, for cookies and CSRF tokens."""


class TaskSchedule(Protocol):
    async def claim(self, task: str, *, now: datetime, every: timedelta) -> bool:
        """Whether the caller runs ``task`` now: True when it never ran or its last claimed
        run is ``every`` or more ago, for one caller alone however many ask at once."""


class StoreProbe(Protocol):
    async def ping(self) -> bool:
        """Whether the store answers now (for the readiness check)."""
