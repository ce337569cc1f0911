"""ConversationRepository."""

import asyncio
from datetime import timedelta

import msgspec
import pytest

from ragsell.application.ports.repositories import DuplicateKey, ListCursor
from ragsell.domain.conversations import Conversation, Role
from ragsell.domain.ids import ConversationId
from tests.contract.stores import Stores, conversation, message, ms, new_id, owner, real_now, site


async def test_a_conversation_is_visible_only_under_its_site(stores: Stores) -> None:
    shop, blog = site(owner().id), site(owner().id)
    chat = conversation(shop.id)
    await stores.conversations.add(chat)
    await stores.conversations.add_message(message(chat))

    assert await stores.conversations.get(shop.id, chat.id) == chat
    assert await stores.conversations.get(blog.id, chat.id) is None
    assert await stores.conversations.list_for_site(blog.id, before=None, limit=10) == []
    assert await stores.conversations.messages(blog.id, chat.id) == []


async def test_conversation_ids_are_unique(stores: Stores) -> None:
    chat = conversation(site(owner().id).id)
    await stores.conversations.add(chat)

    with pytest.raises(DuplicateKey):
        await stores.conversations.add(chat)


async def test_a_message_moves_the_last_message_time_forward_only(stores: Stores) -> None:
    start = real_now()
    chat = conversation(site(owner().id).id, at=start)
    await stores.conversations.add(chat)

    await stores.conversations.add_message(message(chat, at=start + ms(400)))
    await stores.conversations.add_message(message(chat, at=start + ms(150)))

    stored = await stores.conversations.get(chat.site_id, chat.id)
    assert stored is not None
    assert stored.last_message_at == start + ms(400)


async def test_concurrent_messages_leave_the_latest_time(stores: Stores) -> None:
    start = real_now()
    chat = conversation(site(owner().id).id, at=start)
    await stores.conversations.add(chat)

    await asyncio.gather(*(stores.conversations.add_message(message(chat, at=start + ms(n))) for n in range(1, 21)))

    stored = await stores.conversations.get(chat.site_id, chat.id)
    assert stored is not None
    assert stored.last_message_at == start + ms(20)
    assert len(await stores.conversations.messages(chat.site_id, chat.id)) == 20


async def test_a_message_to_a_conversation_not_under_its_site_is_refused(stores: Stores) -> None:
    shop, blog = site(owner().id), site(owner().id)
    chat = conversation(shop.id)
    await stores.conversations.add(chat)
    stray = conversation(blog.id)  # never added

    with pytest.raises(LookupError):
        await stores.conversations.add_message(message(stray))
    with pytest.raises(LookupError):
        await stores.conversations.add_message(msgspec.structs.replace(message(chat), site_id=blog.id))
    assert await stores.conversations.messages(shop.id, chat.id) == []


async def test_a_client_message_id_is_taken_once_per_role_in_a_conversation(stores: Stores) -> None:
    chat = conversation(site(owner().id).id)
    other = conversation(chat.site_id)
    await stores.conversations.add(chat)
    await stores.conversations.add(other)
    asked = message(chat)
    await stores.conversations.add_message(asked)

    with pytest.raises(DuplicateKey):
        await stores.conversations.add_message(message(chat, client_message_id=asked.client_message_id, text="Again?"))
    reply = message(chat, role=Role.ASSISTANT, client_message_id=asked.client_message_id)
    await stores.conversations.add_message(reply)
    await stores.conversations.add_message(message(other, client_message_id=asked.client_message_id))

    assert await stores.conversations.messages(chat.site_id, chat.id) == [asked, reply]


async def test_a_message_is_found_by_its_client_id_and_role(stores: Stores) -> None:
    shop = site(owner().id)
    chat = conversation(shop.id)
    await stores.conversations.add(chat)
    asked = message(chat)
    reply = message(chat, role=Role.ASSISTANT, client_message_id=asked.client_message_id)
    await stores.conversations.add_message(asked)
    await stores.conversations.add_message(reply)

    found = stores.conversations.message_by_client_id
    assert await found(shop.id, chat.id, asked.client_message_id, Role.VISITOR) == asked
    assert await found(shop.id, chat.id, asked.client_message_id, Role.ASSISTANT) == reply
    assert await found(site(owner().id).id, chat.id, asked.client_message_id, Role.VISITOR) is None
    assert await found(shop.id, ConversationId(new_id()), asked.client_message_id, Role.VISITOR) is None


async def test_messages_come_oldest_first_with_the_question_before_its_reply(stores: Stores) -> None:
    start = real_now()
    chat = conversation(site(owner().id).id, at=start)
    await stores.conversations.add(chat)
    second_reply = message(chat, role=Role.ASSISTANT, at=start + ms(700))
    first = message(chat, at=start)
    first_reply = message(chat, role=Role.ASSISTANT, at=start, client_message_id=first.client_message_id)
    second = message(chat, at=start + ms(700), client_message_id=second_reply.client_message_id)
    for each in (second_reply, first_reply, second, first):
        await stores.conversations.add_message(each)

    assert await stores.conversations.messages(chat.site_id, chat.id) == [first, first_reply, second, second_reply]


async def test_conversations_are_listed_most_recent_first_and_paged_with_before_and_limit(stores: Stores) -> None:
    start = real_now()
    shop = site(owner().id)
    # Times within one second of each other: paging must be exact to the millisecond.
    chats = [conversation(shop.id, at=start + ms(97 * n)) for n in range(8)]
    tied = conversation(shop.id, at=chats[3].last_message_at)
    for each in [*chats, tied]:
        await stores.conversations.add(each)
    await stores.conversations.add(conversation(site(owner().id).id, at=start))

    def expected(before: ListCursor | None, limit: int) -> list[Conversation]:
        kept = [c for c in [*chats, tied] if before is None or before.admits(c.last_message_at, c.id)]
        return sorted(kept, key=lambda c: (c.last_message_at, c.id), reverse=True)[:limit]

    def after(page: list[Conversation]) -> ListCursor:
        return ListCursor(at=page[-1].last_message_at, id=page[-1].id)

    first_page = await stores.conversations.list_for_site(shop.id, before=None, limit=4)
    second_page = await stores.conversations.list_for_site(shop.id, before=after(first_page), limit=4)
    rest = await stores.conversations.list_for_site(shop.id, before=after(second_page), limit=4)

    assert first_page == expected(None, 4)
    assert second_page == expected(after(first_page), 4)
    assert rest == expected(after(second_page), 4)
    # Every conversation once, the one sharing a time with another included.
    assert sorted(c.id for c in first_page + second_page + rest) == sorted(c.id for c in [*chats, tied])
    assert await stores.conversations.list_for_site(shop.id, before=None, limit=0) == []
    assert await stores.conversations.list_for_site(shop.id, before=ListCursor(at=start), limit=10) == []
    assert await stores.conversations.list_for_site(shop.id, before=ListCursor(at=start + ms(1)), limit=10) == [
        chats[0]
    ]


async def test_a_message_moves_its_conversation_up_the_list(stores: Stores) -> None:
    start = real_now()
    shop = site(owner().id)
    older, newer = conversation(shop.id, at=start), conversation(shop.id, at=start + ms(10))
    await stores.conversations.add(older)
    await stores.conversations.add(newer)

    await stores.conversations.add_message(message(older, at=start + timedelta(milliseconds=20)))

    listed = await stores.conversations.list_for_site(shop.id, before=None, limit=10)
    assert [c.id for c in listed] == [older.id, newer.id]


async def test_conversations_are_found_by_what_was_said_in_any_case(stores: Stores) -> None:
    start = real_now()
    shop, other = site(owner().id), site(owner().id)
    refund = conversation(shop.id, at=start)
    hours = conversation(shop.id, at=start + ms(5))
    elsewhere = conversation(other.id, at=start)
    for each in (refund, hours, elsewhere):
        await stores.conversations.add(each)
    await stores.conversations.add_message(message(refund, text="Can I get a REFUND (partial)?", at=start))
    await stores.conversations.add_message(
        message(hours, role=Role.ASSISTANT, text="No refunds after 30 days.", at=start + ms(5))
    )
    await stores.conversations.add_message(message(elsewhere, text="refund please", at=start))

    found = await stores.conversations.search(shop.id, "refund", limit=10)
    assert [c.id for c in found] == [hours.id, refund.id]
    assert [c.id for c in await stores.conversations.search(shop.id, "und (part", limit=10)] == [refund.id]
    assert await stores.conversations.search(shop.id, "refund", limit=1) == found[:1]
    assert await stores.conversations.search(shop.id, "opening hours", limit=10) == []
    assert await stores.conversations.search(shop.id, ".*", limit=10) == []
