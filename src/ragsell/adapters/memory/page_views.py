from datetime import datetime

from ragsell.application.ports.repositories import PageViewRepository
from ragsell.domain.conversations import PageView, count_active_visitors
from ragsell.domain.ids import SiteId, VisitorId


class InMemoryPageViewRepository(PageViewRepository):
    def __init__(self) -> None:
        self._views: list[tuple[PageView, datetime]] = []

    async def add(self, view: PageView, *, expires_at: datetime) -> None:
        self._views.append((view, expires_at))

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

    async def erase_site(self, site_id: SiteId) -> None:
        self._views = [(view, expires_at) for view, expires_at in self._views if view.site_id != site_id]
