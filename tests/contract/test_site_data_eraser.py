"""SiteDataEraser."""

from datetime import timedelta

from ragsell.domain.conversations import Role
from ragsell.domain.knowledge import ChunkSource
from tests.contract.stores import (
    Stores,
    chunk,
    conversation,
    crawl_job,
    lead,
    message,
    owner,
    page,
    page_view,
    real_now,
    site,
    snippet,
)


async def test_erasing_a_site_removes_everything_of_that_site_and_nothing_of_another(stores: Stores) -> None:
    now = real_now()
    ada = owner()
    shop, blog = site(ada.id), site(ada.id)
    kept = {}
    for each in (shop, blog):
        await stores.sites.add(each)
        await stores.snippets.add(snippet(each.id))
        chat = conversation(each.id, at=now)
        await stores.conversations.add(chat)
        asked = message(chat)
        await stores.conversations.add_message(asked)
        await stores.conversations.add_message(
            message(chat, role=Role.ASSISTANT, client_message_id=asked.client_message_id)
        )
        await stores.page_views.add(page_view(each.id, at=now), expires_at=now + timedelta(days=30))
        await stores.leads.add(lead(each.id, conversation_id=chat.id))
        kept[each.id] = chat

    await stores.eraser.erase_site(shop.id)

    since = now - timedelta(minutes=5)
    assert await stores.snippets.list_for_site(shop.id) == []
    assert await stores.conversations.list_for_site(shop.id, before=None, limit=10) == []
    assert await stores.conversations.get(shop.id, kept[shop.id].id) is None
    assert await stores.conversations.messages(shop.id, kept[shop.id].id) == []
    assert await stores.page_views.count_visitors(shop.id, since=since, until=now) == 0
    assert await stores.leads.list_for_site(shop.id, before=None, limit=10) == []

    assert len(await stores.snippets.list_for_site(blog.id)) == 1
    assert await stores.conversations.list_for_site(blog.id, before=None, limit=10) == [kept[blog.id]]
    assert len(await stores.conversations.messages(blog.id, kept[blog.id].id)) == 2
    assert await stores.page_views.count_visitors(blog.id, since=since, until=now) == 1
    assert len(await stores.leads.list_for_site(blog.id, before=None, limit=10)) == 1


async def test_erasing_a_site_removes_its_pages_chunks_and_crawl_jobs_only(stores: Stores) -> None:
    now = real_now()
    shop, blog = site(owner().id), site(owner().id)
    url = "https://shop.example.com/products/tea"
    for each in (shop, blog):
        await stores.pages.save(page(each.id, url))
        await stores.chunks.replace_source(each.id, ChunkSource.PAGE, url, [chunk(each.id, url)])
        await stores.chunks.replace_source(
            each.id, ChunkSource.SNIPPET, "faq", [chunk(each.id, "faq", source=ChunkSource.SNIPPET)]
        )
        await stores.jobs.enqueue(crawl_job(each.id, created_at=now))
    await stores.jobs.claim(worker="w1", now=now, lease=timedelta(minutes=1))
    shop_version = await stores.chunks.version(shop.id)
    blog_version = await stores.chunks.version(blog.id)
    blog_chunks = await stores.chunks.for_site(blog.id)
    blog_job = await stores.jobs.latest(blog.id, now=now)

    await stores.eraser.erase_site(shop.id)

    assert await stores.pages.list_for_site(shop.id, after_url=None, limit=10) == []
    assert await stores.pages.get(shop.id, url) is None
    assert await stores.chunks.for_site(shop.id) == []
    assert await stores.chunks.version(shop.id) != shop_version
    assert await stores.jobs.latest(shop.id, now=now) is None
    assert len(await stores.pages.list_for_site(blog.id, after_url=None, limit=10)) == 1
    assert await stores.chunks.for_site(blog.id) == blog_chunks
    assert await stores.chunks.version(blog.id) == blog_version
    assert await stores.jobs.latest(blog.id, now=now) == blog_job

    # The site can be crawled into again, and its version does not repeat an old one.
    fresh = crawl_job(shop.id, created_at=now + timedelta(seconds=1))
    assert await stores.jobs.enqueue(fresh) == fresh
    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, url, [chunk(shop.id, url)])
    assert await stores.chunks.version(shop.id) not in (0, shop_version)
