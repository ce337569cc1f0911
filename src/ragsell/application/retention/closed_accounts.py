"""Closed accounts whose grace period has passed are purged."""

from datetime import datetime

from ragsell.application.ports.repositories import OwnerRepository
from ragsell.application.privacy.account_purge import AccountPurger
from ragsell.domain.retention import RetentionPolicy

BATCH = 50


class ClosedAccounts:
    def __init__(self, owners: OwnerRepository, purger: AccountPurger, policy: RetentionPolicy) -> None:
        self._owners = owners
        self._purger = purger
        self._policy = policy

    async def sweep(self, now: datetime, *, dry_run: bool) -> dict[str, int]:
        cutoff = now - self._policy.closed_account_grace
        if dry_run:
            return {"closed_accounts": len(await self._owners.closed_before(cutoff, limit=1_000_000))}
        purged = 0
        while batch := await self._owners.closed_before(cutoff, limit=BATCH):
            for owner in batch:
                await self._purger.purge(owner)
            purged += len(batch)
        return {"closed_accounts": purged}
