from collections import defaultdict
from datetime import datetime, timedelta

from ragsell.adapters.windows import names_subjects, retry_after, window_start
from ragsell.application.ports.metering import RateDecision, RateLimiter, UsageCount, UsageLedger
from ragsell.domain.ids import OwnerId, SiteId
from ragsell.domain.usage import Meter, fits

_CounterKey = tuple[OwnerId, Meter, datetime]


class InMemoryUsageLedger(UsageLedger):
    """Check-and-add happens without an await in between, so it is atomic on the event loop."""

    def __init__(self) -> None:
        self._used: dict[_CounterKey, int] = defaultdict(int)
        self._by_site: dict[_CounterKey, dict[SiteId, int]] = defaultdict(lambda: defaultdict(int))

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
        key = (owner_id, meter, period_start)
        if not fits(used=self._used[key], amount=amount, limit=limit):
            return False
        self._used[key] += amount
        if site_id is not None:
            self._by_site[key][site_id] += amount
        return True

    async def release(
        self, *, owner_id: OwnerId, site_id: SiteId | None, meter: Meter, period_start: datetime, amount: int
    ) -> None:
        key = (owner_id, meter, period_start)
        self._used[key] = max(0, self._used[key] - amount)
        if site_id is not None:
            self._by_site[key][site_id] = max(0, self._by_site[key][site_id] - amount)

    async def used(self, owner_id: OwnerId, periods: dict[Meter, datetime]) -> dict[Meter, int]:
        return {meter: self._used.get((owner_id, meter, start), 0) for meter, start in periods.items()}

    async def history(self, owner_id: OwnerId) -> list[UsageCount]:
        counts = [
            UsageCount(meter=meter, period_start=start, used=used)
            for (owner, meter, start), used in self._used.items()
            if owner == owner_id and used > 0
        ]
        return sorted(counts, key=lambda count: (count.period_start, count.meter.value))

    async def remove_owner(self, owner_id: OwnerId) -> int:
        keys = [key for key in self._used if key[0] == owner_id]
        for key in keys:
            self._by_site.pop(key, None)
        return sum(self._used.pop(key) > 0 for key in keys)

    async def used_by_site(self, owner_id: OwnerId, periods: dict[Meter, datetime]) -> dict[Meter, dict[SiteId, int]]:
        return {meter: dict(self._by_site.get((owner_id, meter, start), {})) for meter, start in periods.items()}


class InMemoryRateLimiter(RateLimiter):
    # Ended windows are dropped at most this often (dropping them on every hit made a hit
    # cost as much as the number of visitors seen in the last minute).
    PURGE_EVERY = timedelta(seconds=10)

    def __init__(self) -> None:
        # (key, window start) -> (count, when the window ends)
        self._windows: dict[tuple[str, datetime], tuple[int, datetime]] = {}
        self._next_purge: datetime | None = None

    async def hit(self, key: str, *, limit: int, window: timedelta, now: datetime) -> RateDecision:
        if self._next_purge is None or now >= self._next_purge:
            self._windows = {k: v for k, v in self._windows.items() if v[1] > now}
            self._next_purge = now + self.PURGE_EVERY
        start = window_start(now, window)
        count = self._windows.get((key, start), (0, now))[0] + 1
        self._windows[(key, start)] = (count, start + window)
        if count <= limit:
            return RateDecision(allowed=True, retry_after_seconds=0)
        return RateDecision(allowed=False, retry_after_seconds=retry_after(now, start, window))

    async def forget(self, *subjects: str, dry_run: bool = False) -> int:
        return self._remove([window for window in self._windows if names_subjects(window[0], subjects)], dry_run)

    async def purge_expired(self, now: datetime, *, dry_run: bool = False) -> int:
        return self._remove([window for window, (_, ends) in self._windows.items() if ends <= now], dry_run)

    def _remove(self, windows: list[tuple[str, datetime]], dry_run: bool) -> int:
        if not dry_run:
            for window in windows:
                del self._windows[window]
        return len(windows)
