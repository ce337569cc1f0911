from datetime import datetime

import msgspec

from ragsell.application.ports.repositories import PageViewRepository, SiteRepository
from ragsell.application.ports.system import Clock
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.ids import OwnerId
from ragsell.domain.sites import Site
from ragsell.domain.urls import origin_of

# Page views looked at, newest first (views from ragsell's own demo page do not count).
MAX_VIEWS_CHECKED = 500


class InstallStatus(msgspec.Struct, frozen=True, kw_only=True):
    site: Site
    # A page view arrived from one of the site's allowed origins (among those still kept).
    seen: bool
    last_seen_at: datetime | None
    last_seen_url: str | None


class CheckInstall:
    """Whether the widget runs on the site: the latest page view from an allowed origin."""

    def __init__(self, sites: SiteRepository, page_views: PageViewRepository, clock: Clock) -> None:
        self._sites = sites
        self._page_views = page_views
        self._clock = clock

    async def __call__(self, owner_id: OwnerId, site_id: str) -> InstallStatus:
        site = await owned_site(self._sites, owner_id, site_id)
        views = await self._page_views.newest(site.id, now=self._clock.now(), limit=MAX_VIEWS_CHECKED)
        seen = next((view for view in views if site.admits_origin(origin_of(view.url))), None)
        return InstallStatus(
            site=site,
            seen=seen is not None,
            last_seen_at=None if seen is None else seen.viewed_at,
            last_seen_url=None if seen is None else seen.url,
        )
