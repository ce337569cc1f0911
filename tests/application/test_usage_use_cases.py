"""What an owner has used of their plan this period, and operators moving owners between plans."""

from datetime import UTC, datetime, timedelta

import pytest

from ragsell.application.errors import NotFound, QuotaExceeded
from ragsell.domain.errors import InvalidEmail, UnknownPlan
from ragsell.domain.usage import BillingPeriod, Meter, PlanCatalogue
from tests.application.conftest import Harness


async def test_the_usage_summary_counts_sites_conversations_and_messages(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    await harness.teach(site, "Hours", "We open at nine.")
    first = await harness.start(site)
    second = await harness.start(site)
    await harness.ask(site, first, "When do you open?")
    await harness.ask(site, first, "Giraffes?")
    await harness.ask(site, second, "When do you open?")

    report = await harness.usage_summary(owner)

    free = PlanCatalogue().get("free")
    assert report.plan == "free"
    assert report.period == BillingPeriod(
        start=datetime(2026, 1, 15, tzinfo=UTC), end=datetime(2026, 2, 15, tzinfo=UTC)
    )
    by_meter = {usage.meter: usage for usage in report.meters}
    assert set(by_meter) == set(Meter)
    assert {meter: usage.used for meter, usage in by_meter.items()} == {
        Meter.SITES: 1,
        Meter.PAGES: 0,
        Meter.CONVERSATIONS: 2,
        Meter.MESSAGES: 3,
        Meter.VOICE_SECONDS: 0,
    }
    assert all(usage.limit == free.limit(usage.meter) for usage in report.meters)
    # One site of one allowed is at the limit; the rest are far from theirs.
    assert [usage.meter for usage in report.meters if usage.near_limit] == [Meter.SITES]


async def test_monthly_meters_start_again_each_period_but_sites_do_not(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    await harness.ask(site, await harness.start(site), "Hello?")
    harness.clock.advance(timedelta(days=31))
    report = await harness.usage_summary(owner)
    used = {usage.meter: usage.used for usage in report.meters}
    assert used[Meter.SITES] == 1
    assert used[Meter.CONVERSATIONS] == used[Meter.MESSAGES] == 0
    assert report.period.contains(harness.clock.now())
    assert report.period.start == datetime(2026, 2, 15, tzinfo=UTC)


async def test_usage_is_counted_per_owner(harness: Harness) -> None:
    ada = await harness.owner("ada@example.com")
    bob = await harness.owner("bob@example.com")
    await harness.start(await harness.site(ada, "https://ada.example/"))
    assert await harness.used(ada, Meter.CONVERSATIONS) == 1
    assert await harness.used(bob, Meter.CONVERSATIONS) == 0
    assert await harness.used(bob, Meter.SITES) == 0


async def test_changing_the_plan_raises_the_limits_at_once(harness: Harness) -> None:
    owner = await harness.owner()
    await harness.site(owner, "https://one.example/")
    with pytest.raises(QuotaExceeded):
        await harness.site(owner, "https://two.example/")

    assert await harness.change_plan(" ADA@example.com ", "starter") == owner.id

    owner = await harness.stored_owner(owner.id)
    assert owner.plan == "starter"
    await harness.site(owner, "https://two.example/")
    report = await harness.usage_summary(owner)
    assert report.plan == "starter"
    assert {usage.meter: usage.limit for usage in report.meters}[Meter.SITES] == 3


async def test_changing_to_an_unknown_plan_is_refused_and_changes_nothing(harness: Harness) -> None:
    owner = await harness.owner()
    with pytest.raises(UnknownPlan):
        await harness.change_plan("ada@example.com", "platinum")
    assert (await harness.stored_owner(owner.id)).plan == "free"


async def test_changing_the_plan_of_an_unknown_email_is_not_found(harness: Harness) -> None:
    await harness.owner()
    with pytest.raises(NotFound):
        await harness.change_plan("nobody@example.com", "pro")
    with pytest.raises(InvalidEmail):
        await harness.change_plan("nobody", "pro")
