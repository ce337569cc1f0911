"""PageRepository."""

import asyncio

import msgspec

from ragsell.domain.crawling import PageOutcome
from tests.contract.stores import Stores, ms, owner, page, real_now, site


async def test_a_saved_page_comes_back_as_it_was(stores: Stores) -> None:
    shop = site(owner().id)
    indexed = page(shop.id)
    failed = page(shop.id, "https://shop.example.com/broken", outcome=PageOutcome.FAILED)
    await stores.pages.save(indexed)
    await stores.pages.save(failed)

    assert await stores.pages.get(shop.id, indexed.url) == indexed
    assert await stores.pages.get(shop.id, failed.url) == failed
    assert await stores.pages.get(shop.id, "https://shop.example.com/nowhere") is None


async def test_saving_a_page_again_replaces_its_record(stores: Stores) -> None:
    shop = site(owner().id)
    first = page(shop.id)
    await stores.pages.save(first)
    later = msgspec.structs.replace(
        first,
        outcome=PageOutcome.UNCHANGED,
        checked_at=first.checked_at + ms(1500),
        title="Green tea, again",
        etag=None,
        chunk_count=5,
    )

    await stores.pages.save(later)

    assert await stores.pages.get(shop.id, first.url) == later
    assert await stores.pages.list_for_site(shop.id, after_url=None, limit=10) == [later]


async def test_pages_are_listed_in_url_order_a_page_at_a_time(stores: Stores) -> None:
    shop = site(owner().id)
    urls = [
        "https://shop.example.com/products/tea",
        "https://shop.example.com/",
        "https://shop.example.com/Contact",
        "https://shop.example.com/about?lang=de",
        "https://shop.example.com/about",
        "https://shop.example.com/caf\u00e9",
        "https://shop.example.com/\u4e2d\u6587",
        "https://shop.example.com/\U0001f375",
        "https://shop.example.com/z",
    ]
    at = real_now()
    for url in urls:
        await stores.pages.save(page(shop.id, url, checked_at=at))

    listed = []
    after = None
    while batch := await stores.pages.list_for_site(shop.id, after_url=after, limit=2):
        assert len(batch) <= 2
        listed.extend(batch)
        after = batch[-1].url

    assert [p.url for p in listed] == sorted(urls)
    assert [p.url for p in await stores.pages.list_for_site(shop.id, after_url=None, limit=100)] == sorted(urls)
    assert [
        p.url for p in await stores.pages.list_for_site(shop.id, after_url="https://shop.example.com/b", limit=3)
    ] == [u for u in sorted(urls) if u > "https://shop.example.com/b"][:3]
    assert await stores.pages.list_for_site(shop.id, after_url=max(urls), limit=10) == []
    assert await stores.pages.list_for_site(shop.id, after_url=None, limit=0) == []


async def test_a_removed_page_is_gone_and_removing_it_again_says_so(stores: Stores) -> None:
    shop = site(owner().id)
    kept, gone = page(shop.id, "https://shop.example.com/a"), page(shop.id, "https://shop.example.com/b")
    await stores.pages.save(kept)
    await stores.pages.save(gone)

    assert await stores.pages.remove(shop.id, gone.url) is True
    assert await stores.pages.remove(shop.id, gone.url) is False

    assert await stores.pages.get(shop.id, gone.url) is None
    assert await stores.pages.list_for_site(shop.id, after_url=None, limit=10) == [kept]


async def test_pages_are_visible_only_under_their_site(stores: Stores) -> None:
    shop, blog = site(owner().id), site(owner().id)
    mine = page(shop.id, "https://example.com/same", title="Shop")
    theirs = page(blog.id, "https://example.com/same", title="Blog")
    await stores.pages.save(mine)
    await stores.pages.save(theirs)

    assert await stores.pages.get(shop.id, mine.url) == mine
    assert await stores.pages.get(blog.id, mine.url) == theirs
    assert await stores.pages.list_for_site(shop.id, after_url=None, limit=10) == [mine]

    assert await stores.pages.remove(blog.id, theirs.url) is True
    assert await stores.pages.get(shop.id, mine.url) == mine
    assert await stores.pages.list_for_site(blog.id, after_url=None, limit=10) == []


async def test_concurrent_saves_of_a_new_page_leave_one_record(stores: Stores) -> None:
    shop = site(owner().id)
    first = page(shop.id)
    versions = [msgspec.structs.replace(first, title=f"Green tea {n}") for n in range(10)]

    await asyncio.gather(*(stores.pages.save(each) for each in versions))

    listed = await stores.pages.list_for_site(shop.id, after_url=None, limit=10)
    assert len(listed) == 1
    assert listed[0] in versions
