"""Closing an account (at once: nobody gets in, its widgets stop) and purging it for good
(later: its sites with everything under them, its usage, sessions, reset links and
rate-limit windows, then the owner record itself)."""

from datetime import datetime

from ragsell.application.ports.metering import RateLimiter, UsageLedger
from ragsell.application.ports.repositories import (
    OwnerRepository,
    PasswordResetRepository,
    SessionRepository,
    SiteDataEraser,
    SiteRepository,
)
from ragsell.domain.accounts import Owner
from ragsell.domain.ids import OwnerId


class AccountCloser:
    def __init__(
        self,
        owners: OwnerRepository,
        sessions: SessionRepository,
        resets: PasswordResetRepository,
        sites: SiteRepository,
    ) -> None:
        self._owners = owners
        self._sessions = sessions
        self._resets = resets
        self._sites = sites

    async def close(self, owner_id: OwnerId, now: datetime) -> int | None:
        """Every session and reset link ends and the widgets stop; returns how many
        sessions ended, or None when the account is closed already (or gone)."""
        if not await self._owners.close(owner_id, now):
            return None
        await self._resets.remove_for_owner(owner_id)
        await self._sites.suspend_for_owner(owner_id)
        return await self._sessions.remove_for_owner(owner_id)


class AccountPurger:
    def __init__(
        self,
        owners: OwnerRepository,
        sites: SiteRepository,
        eraser: SiteDataEraser,
        ledger: UsageLedger,
        sessions: SessionRepository,
        resets: PasswordResetRepository,
        limiter: RateLimiter,
    ) -> None:
        self._owners = owners
        self._sites = sites
        self._eraser = eraser
        self._ledger = ledger
        self._sessions = sessions
        self._resets = resets
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
            "reset_links": await self._resets.remove_for_owner(owner.id),
            "rate_limit_windows": await self._limiter.forget(owner.id) + await self._limiter.forget(owner.email),
        }
        await self._owners.remove(owner.id)
        return counts
