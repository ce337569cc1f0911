from collections import Counter
from collections.abc import Callable
from datetime import date, datetime

from ragsell.application.ports.repositories import PageViewRepository
from ragsell.domain.conversations import DailyPageViews, PageView, count_active_visitors, view_day
from ragsell.domain.ids import SiteId, VisitorId


class InMemoryPageViewRepository(PageViewRepository):
    def __init__(self) -> None:
        self._views: list[tuple[PageView, datetime]] = []
        self._days: Counter[tuple[SiteId, date]] = Counter()

    async def add(self, view: PageView, *, expires_at: datetime) -> None:
        self._views.append((view, expires_at))
        self._days[(view.site_id, view_day(view.viewed_at))] += 1

    async def count_visitors(self, site_id: SiteId, *, since: datetime, until: datetime) -> int:
        views = (view for view, expires_at in self._views if view.site_id == site_id and expires_at > until)
        return count_active_visitors(views, now=until, window=until - since)

    async def newest(self, site_id: SiteId, *, now: datetime, limit: int) -> list[PageView]:
        views = [view for view, expires_at in self._views if view.site_id == site_id and expires_at > now]
        views.sort(key=lambda view: view.viewed_at, reverse=True)
        return views[: max(limit, 0)]

    async def for_visitor(self, site_id: SiteId, visitor_id: VisitorId, *, now: datetime, limit: int) -> list[PageView]:
        views = [
            view
            for view, expires_at in self._views
            if view.site_id == site_id and view.visitor_id == visitor_id and expires_at > now
        ]
        views.sort(key=lambda view: view.viewed_at, reverse=True)
        return views[: max(limit, 0)]

    async def daily_counts(self, site_id: SiteId, *, since: date, until: date) -> list[DailyPageViews]:
        return [
            DailyPageViews(site_id=site_id, day=day, views=views)
            for (site, day), views in sorted(self._days.items())
            if site == site_id and since <= day <= until
        ]

    async def remove_for_visitor(self, site_id: SiteId, visitor_id: VisitorId) -> int:
        return self._keep_only(lambda view, _: view.site_id != site_id or view.visitor_id != visitor_id)

    async def purge_expired(self, now: datetime, *, dry_run: bool = False) -> int:
        if dry_run:
            return sum(1 for _, expires_at in self._views if expires_at <= now)
        return self._keep_only(lambda _, expires_at: expires_at > now)

    def _keep_only(self, keep: Callable[[PageView, datetime], bool]) -> int:
        before = len(self._views)
        self._views = [(view, expires_at) for view, expires_at in self._views if keep(view, expires_at)]
        return before - len(self._views)

    async def erase_site(self, site_id: SiteId) -> None:
        self._keep_only(lambda view, _: view.site_id != site_id)
        for key in [key for key in self._days if key[0] == site_id]:
            del self._days[key]
