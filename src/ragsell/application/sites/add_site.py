import msgspec

from ragsell.application.ports.repositories import DuplicateKey, SiteRepository
from ragsell.application.ports.system import Clock, IdGenerator
from ragsell.application.usage.quota import Quota
from ragsell.domain.accounts import Owner, check_name
from ragsell.domain.ids import SiteId, WidgetKey
from ragsell.domain.sites import Branding, CrawlSettings, Site, default_origins
from ragsell.domain.urls import normalize_url
from ragsell.domain.usage import Meter


class AddSiteCommand(msgspec.Struct, frozen=True, kw_only=True):
    owner: Owner
    name: str
    url: str


class AddSite:
    def __init__(self, sites: SiteRepository, quota: Quota, clock: Clock, ids: IdGenerator) -> None:
        self._sites = sites
        self._quota = quota
        self._clock = clock
        self._ids = ids

    async def __call__(self, command: AddSiteCommand) -> Site:
        name = check_name(command.name)
        url = normalize_url(command.url, keep_query=False)
        now = self._clock.now()
        site_id = SiteId(self._ids.new_id())
        reservation = await self._quota.reserve(
            owner_id=command.owner.id, site_id=site_id, meter=Meter.SITES, amount=1, now=now
        )
        site = Site(
            id=site_id,
            owner_id=command.owner.id,
            widget_key=WidgetKey(f"pk_{self._ids.new_id()}"),
            name=name,
            url=url,
            branding=Branding(assistant_name=check_name(f"{name} assistant"[:100])),
            allowed_origins=default_origins(url),
            crawl=CrawlSettings(),
            retention_days=None,
            voice_enabled=False,
            created_at=now,
        )
        try:
            await self._sites.add(site)
        except DuplicateKey:
            await self._quota.release(reservation)
            raise
        return site
