"""ConversationRepository.set_feedback: a visitor's rating, kept with the reply."""

import msgspec

from ragsell.domain.conversations import Feedback, Role
from ragsell.domain.ids import MessageId
from tests.contract.stores import Stores, conversation, message, ms, new_id, owner, site


async def test_a_reply_keeps_its_rating_and_the_rating_can_change(stores: Stores) -> None:
    chat = conversation(site(owner().id).id)
    await stores.conversations.add(chat)
    question = message(chat)
    reply = message(chat, role=Role.ASSISTANT, client_message_id=question.client_message_id, at=chat.started_at + ms(5))
    await stores.conversations.add_message(question)
    await stores.conversations.add_message(reply)

    assert await stores.conversations.set_feedback(chat.site_id, chat.id, reply.id, Feedback.DOWN)
    assert await stores.conversations.set_feedback(chat.site_id, chat.id, reply.id, Feedback.UP)

    rated = msgspec.structs.replace(reply, feedback=Feedback.UP)
    assert await stores.conversations.messages(chat.site_id, chat.id) == [question, rated]
    found = await stores.conversations.message_by_client_id(
        chat.site_id, chat.id, reply.client_message_id, Role.ASSISTANT
    )
    assert found == rated


async def test_only_replies_of_that_conversation_and_site_can_be_rated(stores: Stores) -> None:
    shop, other = site(owner().id), site(owner().id)
    chat, elsewhere = conversation(shop.id), conversation(shop.id)
    for each in (chat, elsewhere):
        await stores.conversations.add(each)
    question = message(chat)
    reply = message(chat, role=Role.ASSISTANT, client_message_id=question.client_message_id)
    await stores.conversations.add_message(question)
    await stores.conversations.add_message(reply)

    rate = stores.conversations.set_feedback
    assert not await rate(shop.id, chat.id, question.id, Feedback.UP)
    assert not await rate(other.id, chat.id, reply.id, Feedback.UP)
    assert not await rate(shop.id, elsewhere.id, reply.id, Feedback.UP)
    assert not await rate(shop.id, chat.id, MessageId(new_id()), Feedback.UP)
    assert all(m.feedback is None for m in await stores.conversations.messages(shop.id, chat.id))
