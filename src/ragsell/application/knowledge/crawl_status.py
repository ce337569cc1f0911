from ragsell.application.ports.repositories import JobQueue, SiteRepository
from ragsell.application.ports.system import Clock
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.ids import OwnerId
from ragsell.domain.jobs import CrawlJob


class CrawlStatus:
    """The site's latest crawl, with its progress; None before the first."""

    def __init__(self, sites: SiteRepository, jobs: JobQueue, clock: Clock) -> None:
        self._sites = sites
        self._jobs = jobs
        self._clock = clock

    async def __call__(self, owner_id: OwnerId, site_id: str) -> CrawlJob | None:
        site = await owned_site(self._sites, owner_id, site_id)
        return await self._jobs.latest(site.id, now=self._clock.now())
