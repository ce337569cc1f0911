"""Plans, their limits, and the billing periods usage is counted in."""

import calendar
from datetime import UTC, datetime
from enum import StrEnum

import msgspec

from ragsell.domain.errors import InvalidValue, UnknownPlan

# Counters that do not reset each period (sites, pages) are kept under this start.
LIFETIME_START = datetime(1970, 1, 1, tzinfo=UTC)
# Share of a limit past which the dashboard warns the owner.
NEAR_LIMIT_SHARE = 0.8


class Meter(StrEnum):
    SITES = "sites"
    PAGES = "pages"
    CONVERSATIONS = "conversations"
    MESSAGES = "messages"
    VOICE_SECONDS = "voice_seconds"

    @property
    def resets_each_period(self) -> bool:
        return self in (Meter.CONVERSATIONS, Meter.MESSAGES, Meter.VOICE_SECONDS)


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    sites: int
    pages: int
    conversations: int
    messages: int
    voice_seconds: int

    def __post_init__(self) -> None:
        if not self.name.isidentifier() or len(self.name) > 40:
            raise InvalidValue("Plan names are short identifiers such as 'free' or 'pro'.", field="name")
        if min(self.limit(meter) for meter in Meter) < 0:
            raise InvalidValue(f"Plan {self.name!r} has a negative limit.", field="limits")

    def limit(self, meter: Meter) -> int:
        return int(getattr(self, meter.value))


DEFAULT_PLANS = (
    Plan(name="free", sites=1, pages=100, conversations=100, messages=500, voice_seconds=0),
    Plan(name="starter", sites=3, pages=2_000, conversations=2_000, messages=10_000, voice_seconds=3_600),
    Plan(name="pro", sites=10, pages=20_000, conversations=20_000, messages=100_000, voice_seconds=36_000),
)


class PlanCatalogue(msgspec.Struct, frozen=True, kw_only=True):
    plans: tuple[Plan, ...] = DEFAULT_PLANS
    default: str = "free"

    def __post_init__(self) -> None:
        names = [plan.name for plan in self.plans]
        if len(set(names)) != len(names):
            raise InvalidValue("Plan names must be unique.", field="plans")
        if self.default not in names:
            raise UnknownPlan(f"The default plan {self.default!r} is not among the plans.", field="default")

    def get(self, name: str) -> Plan:
        for plan in self.plans:
            if plan.name == name:
                return plan
        raise UnknownPlan(f"There is no plan called {name!r}.", field="plan")

    def for_owner(self, name: str) -> Plan:
        """The owner's plan; the default one when an operator has since removed theirs."""
        return next((plan for plan in self.plans if plan.name == name), self.get(self.default))


class BillingPeriod(msgspec.Struct, frozen=True, kw_only=True):
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise InvalidValue("A billing period ends after it starts.")

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def _month_day(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, min(day, calendar.monthrange(year, month)[1]), tzinfo=UTC)


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def billing_period(anchor: datetime, now: datetime) -> BillingPeriod:
    """The monthly period containing ``now``; periods start on the anchor's day of the
    month (the day the account opened), at midnight UTC, moved to the month's last day
    in shorter months."""
    if anchor.tzinfo is None or now.tzinfo is None:
        raise InvalidValue("Times must carry a time zone.")
    now = now.astimezone(UTC)
    day = anchor.astimezone(UTC).day
    year, month = now.year, now.month
    start = _month_day(year, month, day)
    if start > now:
        year, month = _shift_month(year, month, -1)
        start = _month_day(year, month, day)
    next_year, next_month = _shift_month(year, month, 1)
    return BillingPeriod(start=start, end=_month_day(next_year, next_month, day))


def period_start_for(meter: Meter, anchor: datetime, now: datetime) -> datetime:
    return billing_period(anchor, now).start if meter.resets_each_period else LIFETIME_START


def fits(*, used: int, amount: int, limit: int) -> bool:
    """Whether ``amount`` more units stay within ``limit``."""
    return amount > 0 and used + amount <= limit


def is_near_limit(used: int, limit: int) -> bool:
    return limit > 0 and used >= limit * NEAR_LIMIT_SHARE
