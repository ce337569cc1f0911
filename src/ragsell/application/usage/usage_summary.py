import msgspec

from ragsell.application.ports.metering import UsageLedger
from ragsell.application.ports.system import Clock
from ragsell.domain.accounts import Owner
from ragsell.domain.usage import BillingPeriod, Meter, PlanCatalogue, billing_period, is_near_limit, period_start_for


class MeterUsage(msgspec.Struct, frozen=True, kw_only=True):
    meter: Meter
    used: int
    limit: int
    near_limit: bool


class UsageReport(msgspec.Struct, frozen=True, kw_only=True):
    plan: str
    period: BillingPeriod
    meters: tuple[MeterUsage, ...]


class UsageSummary:
    def __init__(self, ledger: UsageLedger, plans: PlanCatalogue, clock: Clock) -> None:
        self._ledger = ledger
        self._plans = plans
        self._clock = clock

    async def __call__(self, owner: Owner) -> UsageReport:
        now = self._clock.now()
        plan = self._plans.for_owner(owner.plan)
        used = await self._ledger.used(
            owner.id, {meter: period_start_for(meter, owner.created_at, now) for meter in Meter}
        )
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
        )
