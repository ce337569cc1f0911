"""Plans, limits and the monthly periods usage is counted in."""

import asyncio
import calendar
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ragsell.adapters.memory.metering import InMemoryUsageLedger
from ragsell.domain.errors import InvalidValue, UnknownPlan
from ragsell.domain.ids import OwnerId, SiteId
from ragsell.domain.usage import (
    DEFAULT_PLANS,
    LIFETIME_START,
    BillingPeriod,
    Meter,
    Plan,
    PlanCatalogue,
    billing_period,
    fits,
    is_near_limit,
    period_start_for,
)

moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 12, 31), timezones=st.just(UTC))
zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=-11)), timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=14))]
)


def month_length(moment: datetime) -> int:
    return calendar.monthrange(moment.year, moment.month)[1]


# --- billing periods --------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(moments, moments)
def test_the_billing_period_contains_now_and_starts_on_the_anchor_day_clamped(anchor: datetime, now: datetime) -> None:
    period = billing_period(anchor, now)
    assert period.contains(now)
    assert period.start.tzinfo is UTC
    assert (period.start.hour, period.start.minute, period.start.second, period.start.microsecond) == (0, 0, 0, 0)
    assert period.start.day == min(anchor.day, month_length(period.start))
    assert period.end.day == min(anchor.day, month_length(period.end))
    # One calendar month apart.
    assert (period.end.year * 12 + period.end.month) - (period.start.year * 12 + period.start.month) == 1


@settings(max_examples=200, deadline=None)
@given(moments, moments, st.integers(min_value=1, max_value=30))
def test_billing_periods_tile_time_without_gaps_or_overlaps(anchor: datetime, now: datetime, count: int) -> None:
    period = billing_period(anchor, now)
    for _ in range(count):
        following = billing_period(anchor, period.end)
        assert following.start == period.end
        assert billing_period(anchor, period.end - timedelta(microseconds=1)) == period
        assert billing_period(anchor, period.start) == period
        period = following


@settings(max_examples=100, deadline=None)
@given(moments, zones, moments, zones)
def test_billing_periods_use_utc_whatever_the_zone_of_the_inputs(
    anchor: datetime, anchor_zone: timezone, now: datetime, now_zone: timezone
) -> None:
    assert billing_period(anchor.astimezone(anchor_zone), now.astimezone(now_zone)) == billing_period(anchor, now)


@pytest.mark.parametrize(
    ("anchor", "now", "start", "end"),
    [
        ("2026-01-15T09:30", "2026-01-15T00:00", "2026-01-15", "2026-02-15"),
        ("2026-01-15T09:30", "2026-01-14T23:59", "2025-12-15", "2026-01-15"),
        ("2026-01-31T12:00", "2026-02-15T00:00", "2026-01-31", "2026-02-28"),
        ("2026-01-31T12:00", "2026-02-28T00:00", "2026-02-28", "2026-03-31"),
        ("2026-01-31T12:00", "2026-03-01T00:00", "2026-02-28", "2026-03-31"),
        ("2024-01-30T12:00", "2024-02-29T12:00", "2024-02-29", "2024-03-30"),
        ("2026-03-31T12:00", "2026-04-30T00:00", "2026-04-30", "2026-05-31"),
        ("2025-12-31T12:00", "2026-12-31T12:00", "2026-12-31", "2027-01-31"),
    ],
)
def test_billing_period_examples(anchor: str, now: str, start: str, end: str) -> None:
    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)

    assert billing_period(at(anchor), at(now)) == BillingPeriod(start=at(start), end=at(end))


def test_billing_periods_need_aware_times() -> None:
    with pytest.raises(InvalidValue):
        billing_period(datetime(2026, 1, 1), datetime(2026, 1, 2, tzinfo=UTC))
    with pytest.raises(InvalidValue):
        BillingPeriod(start=datetime(2026, 1, 2, tzinfo=UTC), end=datetime(2026, 1, 2, tzinfo=UTC))


def test_only_monthly_meters_reset_each_period() -> None:
    anchor = datetime(2026, 1, 15, tzinfo=UTC)
    now = datetime(2026, 3, 20, tzinfo=UTC)
    assert {meter for meter in Meter if meter.resets_each_period} == {
        Meter.CONVERSATIONS,
        Meter.MESSAGES,
        Meter.VOICE_SECONDS,
    }
    assert period_start_for(Meter.SITES, anchor, now) == LIFETIME_START
    assert period_start_for(Meter.PAGES, anchor, now) == LIFETIME_START
    assert period_start_for(Meter.MESSAGES, anchor, now) == datetime(2026, 3, 15, tzinfo=UTC)


# --- limits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("used", "amount", "limit", "expected"),
    [
        (0, 1, 1, True),
        (0, 1, 0, False),
        (4, 1, 5, True),
        (5, 1, 5, False),
        (3, 2, 5, True),
        (3, 3, 5, False),
        (0, 0, 5, False),
        (0, -1, 5, False),
    ],
)
def test_fits_allows_positive_amounts_up_to_the_limit(used: int, amount: int, limit: int, expected: bool) -> None:
    assert fits(used=used, amount=amount, limit=limit) is expected


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=0, max_value=60),
    st.lists(
        st.tuples(st.sampled_from(["reserve", "release"]), st.integers(min_value=-2, max_value=15)),
        max_size=40,
    ),
)
def test_reservations_in_any_order_never_pass_the_limit(limit: int, operations: list[tuple[str, int]]) -> None:
    async def run() -> None:
        ledger = InMemoryUsageLedger()
        owner = OwnerId("o" * 22)
        scope = {
            "owner_id": owner,
            "site_id": SiteId("s" * 22),
            "meter": Meter.MESSAGES,
            "period_start": LIFETIME_START,
        }
        expected = 0
        for operation, amount in operations:
            if operation == "reserve":
                accepted = await ledger.reserve(**scope, amount=amount, limit=limit)  # type: ignore[arg-type]
                assert accepted == (amount > 0 and expected + amount <= limit)
                expected += amount if accepted else 0
            elif amount > 0:
                await ledger.release(**scope, amount=amount)  # type: ignore[arg-type]
                expected = max(0, expected - amount)
            used = (await ledger.used(owner, {Meter.MESSAGES: LIFETIME_START}))[Meter.MESSAGES]
            assert used == expected
            assert 0 <= used <= limit

    asyncio.run(run())


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=30), st.lists(st.integers(min_value=1, max_value=5), max_size=40))
def test_concurrent_reservations_never_pass_the_limit_together(limit: int, amounts: list[int]) -> None:
    async def run() -> None:
        ledger = InMemoryUsageLedger()
        owner = OwnerId("o" * 22)
        results = await asyncio.gather(
            *(
                ledger.reserve(
                    owner_id=owner,
                    site_id=None,
                    meter=Meter.CONVERSATIONS,
                    period_start=LIFETIME_START,
                    amount=amount,
                    limit=limit,
                )
                for amount in amounts
            )
        )
        granted = sum(amount for amount, ok in zip(amounts, results, strict=True) if ok)
        assert granted <= limit
        assert (await ledger.used(owner, {Meter.CONVERSATIONS: LIFETIME_START}))[Meter.CONVERSATIONS] == granted

    asyncio.run(run())


def test_ledgers_count_each_owner_meter_and_period_apart() -> None:
    async def run() -> None:
        ledger = InMemoryUsageLedger()
        a, b = OwnerId("a" * 22), OwnerId("b" * 22)
        january = datetime(2026, 1, 15, tzinfo=UTC)
        february = datetime(2026, 2, 15, tzinfo=UTC)
        for owner, meter, start in [
            (a, Meter.MESSAGES, january),
            (a, Meter.MESSAGES, february),
            (b, Meter.MESSAGES, january),
            (a, Meter.CONVERSATIONS, january),
        ]:
            assert await ledger.reserve(
                owner_id=owner, site_id=None, meter=meter, period_start=start, amount=1, limit=1
            )
        assert await ledger.used(
            a, {Meter.MESSAGES: january, Meter.CONVERSATIONS: january, Meter.SITES: LIFETIME_START}
        ) == {
            Meter.MESSAGES: 1,
            Meter.CONVERSATIONS: 1,
            Meter.SITES: 0,
        }
        await ledger.release(owner_id=a, site_id=None, meter=Meter.MESSAGES, period_start=january, amount=5)
        assert (await ledger.used(a, {Meter.MESSAGES: january}))[Meter.MESSAGES] == 0
        assert (await ledger.used(b, {Meter.MESSAGES: january}))[Meter.MESSAGES] == 1

    asyncio.run(run())


def test_near_limit_warns_from_eighty_percent_and_never_for_zero_limits() -> None:
    assert not is_near_limit(79, 100)
    assert is_near_limit(80, 100)
    assert is_near_limit(120, 100)
    assert not is_near_limit(0, 0)
    assert not is_near_limit(5, 0)


# --- plans ------------------------------------------------------------------------


def test_the_default_catalogue_offers_free_starter_and_pro() -> None:
    catalogue = PlanCatalogue()
    assert catalogue.default == "free"
    assert [plan.name for plan in catalogue.plans] == ["free", "starter", "pro"]
    assert catalogue.get("free").limit(Meter.SITES) == 1
    assert catalogue.get("pro").limit(Meter.VOICE_SECONDS) == 36_000
    assert catalogue.plans == DEFAULT_PLANS


def test_an_unknown_plan_is_an_error() -> None:
    with pytest.raises(UnknownPlan):
        PlanCatalogue().get("enterprise")
    with pytest.raises(UnknownPlan):
        PlanCatalogue(default="gold")


def test_plans_have_identifier_names_unique_in_the_catalogue_and_no_negative_limits() -> None:
    limits = {"sites": 1, "pages": 1, "conversations": 1, "messages": 1, "voice_seconds": 0}
    with pytest.raises(InvalidValue):
        Plan(name="not a name", **limits)
    with pytest.raises(InvalidValue):
        Plan(name="x", **{**limits, "messages": -1})
    with pytest.raises(InvalidValue):
        PlanCatalogue(plans=(Plan(name="a", **limits), Plan(name="a", **limits)), default="a")
