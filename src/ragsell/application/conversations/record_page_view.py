import msgspec

from ragsell.application.ports.repositories import PageViewRepository, SiteRepository
from ragsell.application.ports.system import Clock
from ragsell.application.throttling import PAGE_VIEWS_PER_VISITOR, Throttle
from ragsell.application.widget_access import OwnOrigin, site_for_widget
from ragsell.domain.conversations import PageView, page_address
from ragsell.domain.ids import visitor_id
from ragsell.domain.retention import RetentionPolicy


class RecordPageViewCommand(msgspec.Struct, frozen=True, kw_only=True):
    widget_key: str
    origin: str | None
    visitor_id: str
    url: str
    referrer: str | None


class RecordPageView:
    def __init__(
        self,
        sites: SiteRepository,
        own: OwnOrigin,
        page_views: PageViewRepository,
        throttle: Throttle,
        clock: Clock,
        retention: RetentionPolicy,
    ) -> None:
        self._sites = sites
        self._own = own
        self._page_views = page_views
        self._throttle = throttle
        self._clock = clock
        self._retention = retention

    async def __call__(self, command: RecordPageViewCommand) -> None:
        visitor = visitor_id(command.visitor_id)
        url = page_address(command.url)
        referrer = page_address(command.referrer) if command.referrer else None
        site = await site_for_widget(self._sites, self._own, command.widget_key, command.origin)
        now = self._clock.now()
        await self._throttle.check(PAGE_VIEWS_PER_VISITOR, f"{site.id}:{visitor}", now)
        view = PageView(site_id=site.id, visitor_id=visitor, url=url, referrer=referrer, viewed_at=now)
        await self._page_views.add(view, expires_at=self._retention.page_view_expiry(now))
