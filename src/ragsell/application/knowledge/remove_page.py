from urllib.parse import urlsplit

import msgspec

from ragsell.application.errors import NotFound
from ragsell.application.knowledge.indexing import ChunkIndexer
from ragsell.application.ports.repositories import PageRepository, SiteRepository
from ragsell.application.sites.get_site import owned_site
from ragsell.application.usage.quota import Quota
from ragsell.domain.crawling import pattern_matches
from ragsell.domain.ids import OwnerId
from ragsell.domain.knowledge import ChunkSource
from ragsell.domain.sites import MAX_PATTERNS, Site, changed_site
from ragsell.domain.usage import Meter


def _without(site: Site, url: str) -> Site | None:
    """The site with the page's path excluded from future crawls (None when already excluded
    or when no pattern can be added)."""
    parts = urlsplit(url)
    pattern = f"{parts.path}?{parts.query}" if parts.query else parts.path
    crawl = site.crawl
    if any(pattern_matches(p, url) for p in crawl.exclude_patterns) or len(crawl.exclude_patterns) >= MAX_PATTERNS:
        return None
    if any(character in pattern for character in "*?[]") or " " in pattern:
        return None
    return changed_site(site, crawl=msgspec.structs.replace(crawl, exclude_patterns=(*crawl.exclude_patterns, pattern)))


class RemovePage:
    """Takes a page out of the knowledge base, and keeps it out of later crawls."""

    def __init__(self, sites: SiteRepository, pages: PageRepository, indexer: ChunkIndexer, quota: Quota) -> None:
        self._sites = sites
        self._pages = pages
        self._indexer = indexer
        self._quota = quota

    async def __call__(self, owner_id: OwnerId, site_id: str, url: str) -> None:
        site = await owned_site(self._sites, owner_id, site_id)
        page = await self._pages.get(site.id, url)
        if page is None:
            raise NotFound("There is no such page.")
        await self._indexer.remove(site.id, ChunkSource.PAGE, page.url)
        if await self._pages.remove(site.id, page.url) and page.outcome.keeps_content:
            await self._quota.release_held(owner_id=site.owner_id, site_id=site.id, meter=Meter.PAGES, amount=1)
        if (excluded := _without(site, page.url)) is not None:
            await self._sites.replace(excluded)
