"""PageViewRepository."""

import asyncio
from datetime import timedelta

from tests.contract.stores import Stores, ms, new_uuid, owner, page_view, real_now, site

_DAY = timedelta(days=1)


async def test_each_visitor_counts_once_within_the_window_of_their_site(stores: Stores) -> None:
    now = real_now()
    shop, blog = site(owner().id), site(owner().id)
    regular = new_uuid()
    for view in (
        page_view(shop.id, visitor=regular, at=now - ms(900)),
        page_view(shop.id, visitor=regular, at=now - ms(300)),
        page_view(shop.id, at=now - timedelta(minutes=4)),
        page_view(blog.id, at=now - ms(10)),
    ):
        await stores.page_views.add(view, expires_at=now + _DAY)

    assert await stores.page_views.count_visitors(shop.id, since=now - timedelta(minutes=5), until=now) == 2
    assert await stores.page_views.count_visitors(blog.id, since=now - timedelta(minutes=5), until=now) == 1


async def test_the_window_excludes_its_start_and_includes_its_end_to_the_millisecond(stores: Stores) -> None:
    now = real_now()
    shop = site(owner().id)
    since = now - ms(500)
    for at in (since - ms(1), since, since + ms(1), now, now + ms(1)):
        await stores.page_views.add(page_view(shop.id, at=at), expires_at=now + _DAY)

    assert await stores.page_views.count_visitors(shop.id, since=since, until=now) == 2


async def test_expired_page_views_are_not_counted(stores: Stores) -> None:
    # They expire a minute from now: no TTL sweep has removed them yet, so only the
    # query's own expiry filter keeps them out when counting later moments.
    now = real_now()
    shop = site(owner().id)
    await stores.page_views.add(page_view(shop.id, at=now), expires_at=now + timedelta(minutes=1))
    await stores.page_views.add(page_view(shop.id, at=now), expires_at=now + timedelta(minutes=1, milliseconds=1))

    window = timedelta(minutes=5)
    at_expiry = now + timedelta(minutes=1)
    assert await stores.page_views.count_visitors(shop.id, since=now - window, until=now) == 2
    assert await stores.page_views.count_visitors(shop.id, since=at_expiry - window, until=at_expiry) == 1
    assert await stores.page_views.count_visitors(shop.id, since=at_expiry - window, until=at_expiry + ms(1)) == 0


async def test_views_arriving_at_once_are_each_stored_and_counted_on_their_day(stores: Stores) -> None:
    # The day's first views race to create its counter; none of them may be lost.
    now = real_now()
    shop = site(owner().id)

    await asyncio.gather(*(stores.page_views.add(page_view(shop.id, at=now), expires_at=now + _DAY) for _ in range(20)))

    (today,) = await stores.page_views.daily_counts(shop.id, since=now.date(), until=now.date())
    assert today.views == 20
    assert len(await stores.page_views.newest(shop.id, now=now, limit=50)) == 20
