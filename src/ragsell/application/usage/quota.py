"""Reserving plan units before work is done, and giving them back when it fails."""

from datetime import datetime

import msgspec

from ragsell.application.errors import NotFound, QuotaExceeded
from ragsell.application.ports.metering import UsageLedger
from ragsell.application.ports.repositories import OwnerRepository
from ragsell.domain.accounts import Owner
from ragsell.domain.ids import OwnerId, SiteId
from ragsell.domain.usage import LIFETIME_START, Meter, PlanCatalogue, period_start_for

_EXCEEDED = {
    Meter.SITES: "Your plan allows no more sites; delete one or upgrade.",
    Meter.PAGES: "Your plan allows no more pages in the knowledge base.",
    Meter.CONVERSATIONS: "This account has used all the conversations its plan allows this month.",
    Meter.MESSAGES: "This account has used all the messages its plan allows this month.",
    Meter.VOICE_SECONDS: "This account has used all the voice minutes its plan allows this month.",
}


# Usage already spent (audio heard and spoken) is counted even past the plan's limit;
# the limit is checked before such work starts (``ensure_remaining``).
_NO_LIMIT = 2**62


class Reservation(msgspec.Struct, frozen=True, kw_only=True):
    owner_id: OwnerId
    site_id: SiteId | None
    meter: Meter
    period_start: datetime
    amount: int


class Quota:
    def __init__(self, owners: OwnerRepository, ledger: UsageLedger, plans: PlanCatalogue) -> None:
        self._owners = owners
        self._ledger = ledger
        self._plans = plans

    async def limit(self, owner_id: OwnerId, meter: Meter) -> int:
        return self._limit(await self._account(owner_id), meter)

    async def reserve(
        self, *, owner_id: OwnerId, site_id: SiteId | None, meter: Meter, amount: int, now: datetime
    ) -> Reservation:
        owner = await self._account(owner_id)
        limit = self._limit(owner, meter)
        reservation = Reservation(
            owner_id=owner_id,
            site_id=site_id,
            meter=meter,
            period_start=period_start_for(meter, owner.created_at, now),
            amount=amount,
        )
        if not await self._ledger.reserve(**msgspec.structs.asdict(reservation), limit=limit):
            raise QuotaExceeded(_EXCEEDED[meter], meter=meter.value, limit=limit)
        return reservation

    async def ensure_remaining(self, *, owner_id: OwnerId, meter: Meter, now: datetime) -> None:
        """Raises QuotaExceeded when the owner has no units of ``meter`` left this period."""
        owner = await self._account(owner_id)
        limit = self._limit(owner, meter)
        if await self._used(owner, meter, now) >= limit:
            raise QuotaExceeded(_EXCEEDED[meter], meter=meter.value, limit=limit)

    async def charge(self, *, owner_id: OwnerId, site_id: SiteId, meter: Meter, amount: int, now: datetime) -> bool:
        """Count ``amount`` units already spent; returns whether the owner still has units
        left afterwards."""
        owner = await self._owners.get(owner_id)
        if owner is None:
            return False
        if amount > 0:
            period = period_start_for(meter, owner.created_at, now)
            await self._ledger.reserve(
                owner_id=owner_id, site_id=site_id, meter=meter, period_start=period, amount=amount, limit=_NO_LIMIT
            )
        return await self._used(owner, meter, now) < self._limit(owner, meter)

    async def _account(self, owner_id: OwnerId) -> Owner:
        owner = await self._owners.get(owner_id)
        if owner is None or owner.is_closed:
            raise NotFound("That account does not exist.")
        return owner

    def _limit(self, owner: Owner, meter: Meter) -> int:
        return self._plans.for_owner(owner.plan).limit(meter)

    async def _used(self, owner: Owner, meter: Meter, now: datetime) -> int:
        period = period_start_for(meter, owner.created_at, now)
        return (await self._ledger.used(owner.id, {meter: period}))[meter]

    async def release(self, reservation: Reservation) -> None:
        await self._ledger.release(**msgspec.structs.asdict(reservation))

    async def release_held(self, *, owner_id: OwnerId, site_id: SiteId, meter: Meter, amount: int) -> None:
        """Give back units of a meter that does not reset (sites, pages) when what
        held them goes away."""
        if meter.resets_each_period:
            raise ValueError(f"{meter} units are spent, not held")
        if amount > 0:
            await self._ledger.release(
                owner_id=owner_id, site_id=site_id, meter=meter, period_start=LIFETIME_START, amount=amount
            )
