"""UsageLedger and RateLimiter."""

import asyncio
from datetime import UTC, datetime, timedelta

from ragsell.domain.ids import OwnerId
from ragsell.domain.usage import LIFETIME_START, Meter
from tests.contract.stores import Stores, new_id, owner, real_now, site

_MAY = datetime(2026, 5, 3, tzinfo=UTC)
_JUNE = datetime(2026, 6, 3, tzinfo=UTC)


async def test_fifty_concurrent_reservations_with_ten_units_left_let_exactly_ten_through(stores: Stores) -> None:
    ada = owner()
    shop = site(ada.id)
    reserve = stores.usage.reserve
    assert await reserve(
        owner_id=ada.id, site_id=shop.id, meter=Meter.MESSAGES, period_start=_MAY, amount=490, limit=500
    )

    results = await asyncio.gather(
        *(
            reserve(owner_id=ada.id, site_id=shop.id, meter=Meter.MESSAGES, period_start=_MAY, amount=1, limit=500)
            for _ in range(50)
        )
    )

    assert results.count(True) == 10
    assert await stores.usage.used(ada.id, {Meter.MESSAGES: _MAY}) == {Meter.MESSAGES: 500}


async def test_the_first_reservations_of_a_period_race_without_passing_the_limit(stores: Stores) -> None:
    ada = owner()
    results = await asyncio.gather(
        *(
            stores.usage.reserve(
                owner_id=ada.id, site_id=None, meter=Meter.CONVERSATIONS, period_start=_JUNE, amount=3, limit=10
            )
            for _ in range(50)
        )
    )

    assert results.count(True) == 3
    assert await stores.usage.used(ada.id, {Meter.CONVERSATIONS: _JUNE}) == {Meter.CONVERSATIONS: 9}


async def test_usage_is_counted_per_owner_meter_and_period(stores: Stores) -> None:
    ada, bob = owner(), owner()
    reserve = stores.usage.reserve
    assert await reserve(
        owner_id=ada.id, site_id=None, meter=Meter.SITES, period_start=LIFETIME_START, amount=1, limit=3
    )
    assert await reserve(owner_id=ada.id, site_id=None, meter=Meter.MESSAGES, period_start=_MAY, amount=7, limit=100)
    assert await reserve(owner_id=ada.id, site_id=None, meter=Meter.MESSAGES, period_start=_JUNE, amount=2, limit=100)
    assert await reserve(owner_id=bob.id, site_id=None, meter=Meter.MESSAGES, period_start=_MAY, amount=5, limit=100)

    periods = {Meter.SITES: LIFETIME_START, Meter.MESSAGES: _MAY, Meter.PAGES: LIFETIME_START}
    assert await stores.usage.used(ada.id, periods) == {Meter.SITES: 1, Meter.MESSAGES: 7, Meter.PAGES: 0}
    assert await stores.usage.used(bob.id, {Meter.MESSAGES: _JUNE}) == {Meter.MESSAGES: 0}
    assert await stores.usage.used(OwnerId(new_id()), {}) == {}


async def test_a_reservation_that_would_pass_the_limit_is_refused_and_not_counted(stores: Stores) -> None:
    ada = owner()
    reserve = stores.usage.reserve
    assert await reserve(
        owner_id=ada.id, site_id=None, meter=Meter.PAGES, period_start=LIFETIME_START, amount=8, limit=10
    )

    assert not await reserve(
        owner_id=ada.id, site_id=None, meter=Meter.PAGES, period_start=LIFETIME_START, amount=3, limit=10
    )
    assert not await reserve(
        owner_id=ada.id, site_id=None, meter=Meter.PAGES, period_start=LIFETIME_START, amount=0, limit=10
    )
    assert not await reserve(
        owner_id=ada.id, site_id=None, meter=Meter.VOICE_SECONDS, period_start=_MAY, amount=1, limit=0
    )
    assert await reserve(
        owner_id=ada.id, site_id=None, meter=Meter.PAGES, period_start=LIFETIME_START, amount=2, limit=10
    )
    assert await stores.usage.used(ada.id, {Meter.PAGES: LIFETIME_START, Meter.VOICE_SECONDS: _MAY}) == {
        Meter.PAGES: 10,
        Meter.VOICE_SECONDS: 0,
    }


async def test_a_release_gives_units_back_but_never_goes_below_zero(stores: Stores) -> None:
    ada = owner()
    shop = site(ada.id)
    args = dict(owner_id=ada.id, site_id=shop.id, meter=Meter.MESSAGES, period_start=_MAY)
    assert await stores.usage.reserve(**args, amount=5, limit=5)

    await stores.usage.release(**args, amount=2)
    assert await stores.usage.used(ada.id, {Meter.MESSAGES: _MAY}) == {Meter.MESSAGES: 3}
    await stores.usage.release(**args, amount=10)
    assert await stores.usage.used(ada.id, {Meter.MESSAGES: _MAY}) == {Meter.MESSAGES: 0}
    await stores.usage.release(owner_id=ada.id, site_id=None, meter=Meter.PAGES, period_start=_MAY, amount=1)
    assert await stores.usage.used(ada.id, {Meter.PAGES: _MAY}) == {Meter.PAGES: 0}
    assert await stores.usage.reserve(**args, amount=5, limit=5)


async def test_the_rate_limiter_refuses_past_the_limit_and_says_when_the_window_ends(stores: Stores) -> None:
    window = timedelta(minutes=1)
    start = _next_minute()
    key = f"login-ip:{new_id()}"

    decisions = [
        await stores.rate_limiter.hit(key, limit=3, window=window, now=start + timedelta(seconds=n)) for n in range(5)
    ]

    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert decisions[0].retry_after_seconds == 0
    assert decisions[4].retry_after_seconds == 56


async def test_a_new_rate_window_starts_afresh_and_keys_are_counted_apart(stores: Stores) -> None:
    window = timedelta(minutes=1)
    start = _next_minute()
    key, other = f"msg-visitor:{new_id()}", f"msg-visitor:{new_id()}"
    hit = stores.rate_limiter.hit
    for _ in range(2):
        await hit(key, limit=2, window=window, now=start)

    assert not (await hit(key, limit=2, window=window, now=start + timedelta(seconds=59))).allowed
    assert (await hit(other, limit=2, window=window, now=start + timedelta(seconds=59))).allowed
    assert (await hit(key, limit=2, window=window, now=start + window)).allowed
    assert (await hit(key, limit=2, window=timedelta(hours=1), now=start + window)).allowed


async def test_concurrent_hits_in_one_window_let_exactly_the_limit_through(stores: Stores) -> None:
    now = real_now() + timedelta(hours=1)
    key = f"view-visitor:{new_id()}"

    decisions = await asyncio.gather(
        *(stores.rate_limiter.hit(key, limit=10, window=timedelta(hours=1), now=now) for _ in range(40))
    )

    assert sum(d.allowed for d in decisions) == 10


def _next_minute() -> datetime:
    """The start of a window that ends more than a minute from now in real time, so the
    store's TTL index cannot remove it while a test runs."""
    return real_now().replace(second=0, microsecond=0) + timedelta(minutes=1)
