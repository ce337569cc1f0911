"""Removing a closed account for good: its sites with everything under them, its usage,
sessions and rate-limit windows, then the owner record itself."""

from ragsell.application.ports.metering import RateLimiter, UsageLedger
from ragsell.application.ports.repositories import OwnerRepository, SessionRepository, SiteDataEraser, SiteRepository
from ragsell.domain.accounts import Owner


class AccountPurger:
    def __init__(
        self,
        owners: OwnerRepository,
        sites: SiteRepository,
        eraser: SiteDataEraser,
        ledger: UsageLedger,
        sessions: SessionRepository,
        limiter: RateLimiter,
    ) -> None:
        self._owners = owners
        self._sites = sites
        self._eraser = eraser
        self._ledger = ledger
        self._sessions = sessions
        self._limiter = limiter

    async def purge(self, owner: Owner) -> dict[str, int]:
        """The owner record goes last, so a purge cut short is found and finished by the
        next retention sweep."""
        sites = await self._sites.list_for_owner(owner.id)
        for site in sites:
            await self._eraser.erase_site(site.id)
            await self._sites.remove(owner.id, site.id)
        counts = {
            "sites": len(sites),
            "usage_counters": await self._ledger.remove_owner(owner.id),
            "sessions": await self._sessions.remove_for_owner(owner.id),
            "rate_limit_windows": await self._limiter.forget(owner.id) + await self._limiter.forget(owner.email),
        }
        await self._owners.remove(owner.id)
        return counts
