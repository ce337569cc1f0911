from datetime import datetime

import msgspec

from ragsell.application.ports.metering import UsageLedger
from ragsell.application.ports.repositories import SiteRepository
from ragsell.application.ports.system import Clock
from ragsell.domain.accounts import Owner
from ragsell.domain.ids import SiteId
from ragsell.domain.usage import BillingPeriod, Meter, PlanCatalogue, billing_period, is_near_limit, period_start_for


class MeterUsage(msgspec.Struct, frozen=True, kw_only=True):
    meter: Meter
    used: int
    limit: int
    near_limit: bool


class SiteUsage(msgspec.Struct, frozen=True, kw_only=True):
    site_id: SiteId
    # None: the site has been deleted since.
    site_name: str | None
    conversations: int
    messages: int
    voice_seconds: int


class UsageReport(msgspec.Struct, frozen=True, kw_only=True):
    plan: str
    period: BillingPeriod
    meters: tuple[MeterUsage, ...]
    # This period's conversations and messages per site, the busiest first.
    by_site: tuple[SiteUsage, ...] = ()


class UsageSummary:
    def __init__(self, ledger: UsageLedger, plans: PlanCatalogue, clock: Clock, sites: SiteRepository) -> None:
        self._ledger = ledger
        self._plans = plans
        self._clock = clock
        self._sites = sites

    async def __call__(self, owner: Owner) -> UsageReport:
        now = self._clock.now()
        plan = self._plans.for_owner(owner.plan)
        periods = {meter: period_start_for(meter, owner.created_at, now) for meter in Meter}
        used = await self._ledger.used(owner.id, periods)
        return UsageReport(
            plan=plan.name,
            period=billing_period(owner.created_at, now),
            meters=tuple(
                MeterUsage(
                    meter=meter,
                    used=used[meter],
                    limit=plan.limit(meter),
                    near_limit=is_near_limit(used[meter], plan.limit(meter)),
                )
                for meter in Meter
            ),
            by_site=await self._by_site(owner, periods),
        )

    async def _by_site(self, owner: Owner, periods: dict[Meter, datetime]) -> tuple[SiteUsage, ...]:
        per_site = await self._ledger.used_by_site(
            owner.id, {meter: periods[meter] for meter in (Meter.CONVERSATIONS, Meter.MESSAGES, Meter.VOICE_SECONDS)}
        )
        conversations, messages = per_site[Meter.CONVERSATIONS], per_site[Meter.MESSAGES]
        voice = per_site[Meter.VOICE_SECONDS]
        names = {site.id: site.name for site in await self._sites.list_for_owner(owner.id)}
        usage = [
            SiteUsage(
                site_id=site_id,
                site_name=names.get(site_id),
                conversations=conversations.get(site_id, 0),
                messages=messages.get(site_id, 0),
                voice_seconds=voice.get(site_id, 0),
            )
            for site_id in dict.fromkeys([*names, *conversations, *messages, *voice])
        ]
        return tuple(sorted(usage, key=lambda site: (-site.messages, -site.conversations)))
