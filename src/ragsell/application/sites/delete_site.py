from ragsell.application.ports.metering import UsageLedger
from ragsell.application.ports.repositories import SiteDataEraser, SiteRepository
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.ids import OwnerId
from ragsell.domain.usage import LIFETIME_START, Meter


class DeleteSite:
    """Removes a site with everything stored under it, and frees its place in the plan."""

    def __init__(self, sites: SiteRepository, eraser: SiteDataEraser, ledger: UsageLedger) -> None:
        self._sites = sites
        self._eraser = eraser
        self._ledger = ledger

    async def __call__(self, owner_id: OwnerId, site_id: str) -> None:
        site = await owned_site(self._sites, owner_id, site_id)
        await self._eraser.erase_site(site.id)
        if await self._sites.remove(owner_id, site.id):
            await self._ledger.release(
                owner_id=owner_id, site_id=site.id, meter=Meter.SITES, period_start=LIFETIME_START, amount=1
            )
