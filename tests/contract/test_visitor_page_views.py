"""PageViewRepository.for_visitor: what the owner sees beside a visitor's transcript."""

from datetime import timedelta

from tests.contract.stores import Stores, ms, new_uuid, owner, page_view, real_now, site

_DAY = timedelta(days=1)


async def test_a_visitors_page_views_come_newest_first_and_only_theirs_on_that_site(stores: Stores) -> None:
    now = real_now()
    shop, blog = site(owner().id), site(owner().id)
    ada, bob = new_uuid(), new_uuid()
    mine = [page_view(shop.id, visitor=ada, at=now - ms(n)) for n in (900, 10, 500)]
    for view in (*mine, page_view(shop.id, visitor=bob, at=now), page_view(blog.id, visitor=ada, at=now)):
        await stores.page_views.add(view, expires_at=now + _DAY)

    found = await stores.page_views.for_visitor(shop.id, ada, now=now, limit=10)

    assert found == sorted(mine, key=lambda view: view.viewed_at, reverse=True)


async def test_the_limit_keeps_the_newest(stores: Stores) -> None:
    now = real_now()
    shop = site(owner().id)
    ada = new_uuid()
    views = [page_view(shop.id, visitor=ada, at=now - ms(n)) for n in range(1, 6)]
    for view in views:
        await stores.page_views.add(view, expires_at=now + _DAY)

    assert await stores.page_views.for_visitor(shop.id, ada, now=now, limit=2) == views[:2]
    assert await stores.page_views.for_visitor(shop.id, ada, now=now, limit=0) == []


async def test_expired_page_views_are_left_out_before_any_sweep(stores: Stores) -> None:
    now = real_now()
    shop = site(owner().id)
    ada = new_uuid()
    kept = page_view(shop.id, visitor=ada, at=now)
    await stores.page_views.add(page_view(shop.id, visitor=ada, at=now - ms(5)), expires_at=now + ms(500))
    await stores.page_views.add(kept, expires_at=now + ms(501))

    assert await stores.page_views.for_visitor(shop.id, ada, now=now + ms(500), limit=10) == [kept]
