"""Counters shared by every app process: usage against plan limits, and rate-limit windows."""

from datetime import datetime, timedelta
from typing import Protocol

import msgspec

from ragsell.domain.ids import OwnerId, SiteId
from ragsell.domain.usage import Meter


class UsageCount(msgspec.Struct, frozen=True, kw_only=True):
    """One counter of an owner: units of a meter used in the period starting then."""

    meter: Meter
    period_start: datetime
    used: int


class UsageLedger(Protocol):
    async def reserve(
        self,
        *,
        owner_id: OwnerId,
        site_id: SiteId | None,
        meter: Meter,
        period_start: datetime,
        amount: int,
        limit: int,
    ) -> bool:
        """Atomically add ``amount`` to the owner's counter for the period unless that
        would pass ``limit``; returns whether it was added. Concurrent calls never
        together pass the limit."""

    async def release(
        self, *, owner_id: OwnerId, site_id: SiteId | None, meter: Meter, period_start: datetime, amount: int
    ) -> None:
        """Give back units reserved earlier (never below zero)."""

    async def used(self, owner_id: OwnerId, periods: dict[Meter, datetime]) -> dict[Meter, int]:
        """Units used for each meter in the given period (0 when nothing was used)."""

    async def history(self, owner_id: OwnerId) -> list[UsageCount]:
        """Every counter the owner has, oldest period first (by meter within a period)."""

    async def remove_owner(self, owner_id: OwnerId) -> int:
        """Remove all the owner's counters (the account is purged); returns how many."""

    async def used_by_site(self, owner_id: OwnerId, periods: dict[Meter, datetime]) -> dict[Meter, dict[SiteId, int]]:
        """Units reserved for each site, for each meter in the given period (sites that used
        none may be left out)."""


class RateDecision(msgspec.Struct, frozen=True, kw_only=True):
    allowed: bool
    retry_after_seconds: int


class RateLimiter(Protocol):
    async def hit(self, key: str, *, limit: int, window: timedelta, now: datetime) -> RateDecision:
        """Count one event under ``key`` in the fixed window containing ``now``;
        refused once ``limit`` events were counted in that window."""

    async def forget(self, *subjects: str, dry_run: bool = False) -> int:
        """Remove the windows whose key names every one of ``subjects`` as a whole part (a
        site and a visitor id, an owner's id or email); returns how many were (or would be)
        removed."""

    async def purge_expired(self, now: datetime, *, dry_run: bool = False) -> int:
        """Remove the windows ended by ``now``; returns how many were (or would be) removed."""
