"""SiteDataEraser."""

from datetime import timedelta

from ragsell.domain.conversations import Role
from tests.contract.stores import Stores, conversation, lead, message, owner, page_view, real_now, site, snippet


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
