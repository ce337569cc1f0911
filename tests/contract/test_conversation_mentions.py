"""ConversationRepository.visitors_whose_messages_mention: the visitors who typed an
address or number into the chat (the domain rule decides; a store's regex only selects)."""

from datetime import timedelta

import msgspec

from ragsell.domain.conversations import Conversation, Role
from ragsell.domain.ids import SiteId
from ragsell.domain.mentions import email_mention, phone_mention
from tests.contract.stores import Stores, conversation, message, owner, real_now, site

ANN = email_mention("ann@example.com")
BERLIN = phone_mention("+49 30 12345678")


async def _chat(
    stores: Stores, site_id: SiteId, *texts: str, role: Role = Role.VISITOR, seconds: int = 0
) -> Conversation:
    """A conversation of a new visitor with these messages, ``seconds`` after now."""
    at = real_now() + timedelta(seconds=seconds)
    chat = conversation(site_id, at=at)
    await stores.conversations.add(chat)
    for n, text in enumerate(texts):
        await stores.conversations.add_message(message(chat, role=role, text=text, at=at + timedelta(milliseconds=n)))
    return chat


async def test_visitors_who_typed_the_address_in_any_case_are_found(stores: Stores) -> None:
    shop = site(owner().id)
    typed = await _chat(stores, shop.id, "Hello", "write to ANN@Example.com please")
    await _chat(stores, shop.id, "I am joann@example.com")
    await _chat(stores, shop.id, "ann@example.com.au is mine")
    await _chat(stores, shop.id, "What is ann@example.com?", role=Role.ASSISTANT)

    found = await stores.conversations.visitors_whose_messages_mention(shop.id, ANN, limit=10)

    assert found == [typed.visitor_id]


async def test_visitors_who_typed_the_number_with_separators_are_found(stores: Stores) -> None:
    shop = site(owner().id)
    national = await _chat(stores, shop.id, "call me on (030) 1234-5678", seconds=0)
    international = await _chat(stores, shop.id, "+49 30 123 456 78", seconds=2)
    await _chat(stores, shop.id, "order 5030 12345678")
    await _chat(stores, shop.id, "030 123456789")

    found = await stores.conversations.visitors_whose_messages_mention(shop.id, BERLIN, limit=10)

    assert found == [international.visitor_id, national.visitor_id]


async def test_only_the_sites_own_messages_are_searched(stores: Stores) -> None:
    shop, blog = site(owner().id), site(owner().id)
    await _chat(stores, blog.id, "ann@example.com")

    assert await stores.conversations.visitors_whose_messages_mention(shop.id, ANN, limit=10) == []


async def test_a_visitor_is_named_once_however_often_and_in_however_many_chats(stores: Stores) -> None:
    shop = site(owner().id)
    first = await _chat(stores, shop.id, "ann@example.com", "again: ann@example.com")
    again = msgspec.structs.replace(
        conversation(shop.id, at=real_now() + timedelta(seconds=3)), visitor_id=first.visitor_id
    )
    await stores.conversations.add(again)
    await stores.conversations.add_message(message(again, text="Ann@example.com"))

    assert await stores.conversations.visitors_whose_messages_mention(shop.id, ANN, limit=10) == [first.visitor_id]


async def test_at_the_limit_the_visitors_who_mentioned_it_last_are_kept(stores: Stores) -> None:
    shop = site(owner().id)
    chats = [await _chat(stores, shop.id, f"I am ann@example.com ({n})", seconds=2 * n) for n in range(3)]

    found = await stores.conversations.visitors_whose_messages_mention(shop.id, ANN, limit=2)

    assert found == [chats[2].visitor_id, chats[1].visitor_id]
    assert await stores.conversations.visitors_whose_messages_mention(shop.id, ANN, limit=0) == []


async def test_many_mentions_are_found_past_the_stores_batches(stores: Stores) -> None:
    shop = site(owner().id)
    chats = [await _chat(stores, shop.id, "ann@example.com") for _ in range(130)]

    found = await stores.conversations.visitors_whose_messages_mention(shop.id, ANN, limit=1000)

    assert sorted(found) == sorted(chat.visitor_id for chat in chats)
    assert len(await stores.conversations.visitors_whose_messages_mention(shop.id, ANN, limit=120)) == 120
