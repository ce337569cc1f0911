"""Reads of one window of a site's activity, for analytics and the install check:
conversations, messages and leads made in [since, until], the newest page views, and
usage per site."""

from datetime import timedelta

from ragsell.domain.conversations import Role
from ragsell.domain.ids import SiteId
from ragsell.domain.usage import Meter
from tests.contract.stores import Stores, conversation, lead, message, ms, owner, page_view, real_now, site


async def test_conversations_started_in_a_window_latest_first(stores: Stores) -> None:
    start = real_now() - timedelta(minutes=10)
    shop, blog = site(owner().id), site(owner().id)
    made = [conversation(shop.id, at=start + ms(150 * n)) for n in range(6)]
    for each in [*made, conversation(blog.id, at=start + ms(300))]:
        await stores.conversations.add(each)
    since, until = made[1].started_at, made[4].started_at

    found = await stores.conversations.started_between(shop.id, since=since, until=until, limit=10)

    assert found == made[4:0:-1]
    assert await stores.conversations.started_between(shop.id, since=since, until=until, limit=2) == made[4:2:-1]
    assert await stores.conversations.started_between(shop.id, since=since, until=until, limit=0) == []
    assert await stores.conversations.started_between(blog.id, since=since, until=until, limit=10) != []


async def test_messages_made_in_a_window_across_conversations_latest_first(stores: Stores) -> None:
    start = real_now() - timedelta(minutes=10)
    shop, blog = site(owner().id), site(owner().id)
    talks = [conversation(shop.id, at=start), conversation(shop.id, at=start), conversation(blog.id, at=start)]
    for each in talks:
        await stores.conversations.add(each)
    made = [
        message(talks[n % 2], at=start + ms(200 * n), role=Role.VISITOR if n % 3 else Role.ASSISTANT) for n in range(6)
    ]
    for each in [*made, message(talks[2], at=start + ms(400))]:
        await stores.conversations.add_message(each)
    since, until = made[1].created_at, made[4].created_at

    found = await stores.conversations.messages_between(shop.id, since=since, until=until, limit=10)

    assert found == made[4:0:-1]
    assert await stores.conversations.messages_between(shop.id, since=since, until=until, limit=1) == [made[4]]


async def test_leads_made_in_a_window_latest_first(stores: Stores) -> None:
    start = real_now() - timedelta(minutes=10)
    shop, blog = site(owner().id), site(owner().id)
    made = [lead(shop.id, created_at=start + ms(250 * n)) for n in range(5)]
    for each in [*made, lead(blog.id, created_at=start + ms(500))]:
        await stores.leads.add(each)

    found = await stores.leads.created_between(
        shop.id, since=made[0].created_at + ms(1), until=made[3].created_at, limit=10
    )

    assert found == made[3:0:-1]
    assert await stores.leads.created_between(SiteId("x" * 22), since=start, until=real_now(), limit=10) == []


async def test_newest_page_views_latest_first_without_expired_ones(stores: Stores) -> None:
    now = real_now()
    shop, blog = site(owner().id), site(owner().id)
    views = [page_view(shop.id, at=now - ms(100 * n)) for n in range(4)]
    for view in views:
        await stores.page_views.add(view, expires_at=now + timedelta(days=1))
    await stores.page_views.add(page_view(shop.id, at=now + ms(5)), expires_at=now)
    await stores.page_views.add(page_view(blog.id, at=now), expires_at=now + timedelta(days=1))

    assert await stores.page_views.newest(shop.id, now=now, limit=10) == views
    assert await stores.page_views.newest(shop.id, now=now, limit=2) == views[:2]
    assert await stores.page_views.newest(shop.id, now=now, limit=0) == []


async def test_usage_is_counted_per_site(stores: Stores) -> None:
    ann = owner()
    shop, blog = site(ann.id), site(ann.id)
    period = real_now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for site_id, amount in ((shop.id, 3), (blog.id, 2), (shop.id, 1), (None, 4)):
        reserved = await stores.usage.reserve(
            owner_id=ann.id, site_id=site_id, meter=Meter.MESSAGES, period_start=period, amount=amount, limit=100
        )
        assert reserved
    await stores.usage.release(owner_id=ann.id, site_id=blog.id, meter=Meter.MESSAGES, period_start=period, amount=1)

    found = await stores.usage.used_by_site(ann.id, {Meter.MESSAGES: period, Meter.CONVERSATIONS: period})

    assert found == {Meter.MESSAGES: {shop.id: 4, blog.id: 1}, Meter.CONVERSATIONS: {}}
    assert await stores.usage.used_by_site(owner().id, {Meter.MESSAGES: period}) == {Meter.MESSAGES: {}}
