from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""


class IdGenerator(Protocol):
    def new_id(self) -> str:
        """A random identifier of 132 bits, 22 url-safe characters."""

    def secret_token(self) -> str:
        """A random secret of 256 bits, url-safe, for cookies and CSRF tokens."""


class StoreProbe(Protocol):
    async def ping(self) -> bool:
        """Whether the store answers now (for the readiness check)."""
