"""A visitor's message and the assistant's streamed answer: grounded in the site's
knowledge, idempotent on the widget's message id, paid for once, and never across sites."""

import uuid
from collections.abc import AsyncIterator, Callable

import msgspec
import pytest

from ragsell.application.conversations.answer_events import CitationsEvent, DoneEvent, ErrorEvent, TokenEvent
from ragsell.application.conversations.replies import not_covered, unavailable
from ragsell.application.conversations.visitor_conversation import VisitorConversationQuery
from ragsell.application.errors import MessageIdReused, NotFound, OriginNotAllowed, QuotaExceeded, RateLimited
from ragsell.application.ports.ai import ChatModel, ChatRequest, ModelUnavailable
from ragsell.application.sites.update_site import UpdateSiteCommand
from ragsell.application.throttling import MESSAGES_PER_VISITOR
from ragsell.domain.accounts import Owner
from ragsell.domain.conversations import Role
from ragsell.domain.errors import InvalidValue
from ragsell.domain.sites import Branding, Site
from ragsell.domain.usage import DEFAULT_PLANS, Meter, Plan, PlanCatalogue
from tests.application.conftest import Harness, answer_text, done, new_visitor

HOURS = "We open at nine on weekdays. On Saturdays we open at ten."
TINY = Plan(name="tiny", sites=2, pages=10, conversations=2, messages=3, voice_seconds=0)


class RecordingChatModel(ChatModel):
    """A ChatModel that says what it is told to, remembers every request, and can fail."""

    def __init__(self, pieces: tuple[str, ...] = ("We open", " at nine."), *, fail_at: int | None = None) -> None:
        self.pieces = pieces
        self.requests: list[ChatRequest] = []
        # Raise ModelUnavailable before yielding the piece at this index (0: at once).
        self.fail_at = fail_at

    async def stream(self, request: ChatRequest) -> AsyncIterator[str]:
        self.requests.append(request)
        for index, piece in enumerate(self.pieces):
            if index == self.fail_at:
                raise ModelUnavailable("throttled")
            yield piece
        if self.fail_at is not None and self.fail_at >= len(self.pieces):
            raise ModelUnavailable("stalled")


@pytest.fixture
def model() -> RecordingChatModel:
    return RecordingChatModel()


@pytest.fixture
def recorded(make_harness: Callable[..., Harness], model: RecordingChatModel) -> Harness:
    return make_harness(model=model, plans=PlanCatalogue(plans=(TINY, *DEFAULT_PLANS), default="tiny"))


async def knowledgeable_site(
    harness: Harness, email: str = "ada@example.com", url: str = "https://example.com/"
) -> tuple[Owner, Site]:
    owner = await harness.owner(email)
    site = await harness.site(owner, url)
    await harness.teach(site, "Opening hours", HOURS)
    await harness.teach(site, "Delivery", "We deliver bread to the whole city before seven.")
    return owner, site


# --- answering --------------------------------------------------------------------


async def test_an_answer_streams_from_the_sites_snippets_with_the_quoting_model(harness: Harness) -> None:
    _owner, site = await knowledgeable_site(harness)
    conversation = await harness.start(site)

    events = await harness.ask(site, conversation, "When do you open on weekdays?")

    assert all(isinstance(event, TokenEvent) for event in events[:-2])
    assert len(events) > 3
    assert answer_text(events) == HOURS
    assert events[-2] == CitationsEvent(citations=())
    assert done(events).answered is True


async def test_the_question_and_its_answer_are_stored_under_the_widgets_message_id(harness: Harness) -> None:
    owner, site = await knowledgeable_site(harness)
    conversation = await harness.start(site)
    client_id = str(uuid.uuid4())

    events = await harness.ask(site, conversation, "  When do you open?  ", client_id)

    question, reply = await harness.conversations.messages(site.id, conversation.id)
    assert (question.role, question.text, question.client_message_id) == (Role.VISITOR, "When do you open?", client_id)
    assert (reply.role, reply.text, reply.client_message_id) == (Role.ASSISTANT, answer_text(events), client_id)
    assert reply.id == done(events).message_id
    assert reply.answered is True
    assert await harness.used(owner, Meter.MESSAGES) == 1
    transcript = await harness.get_transcript(owner.id, site.id, conversation.id)
    assert transcript.messages == [question, reply]
    visitor_view = await harness.visitor_conversation(
        VisitorConversationQuery(
            widget_key=site.widget_key,
            origin=harness.origin(site),
            visitor_id=conversation.visitor_id,
            conversation_id=conversation.id,
        )
    )
    assert visitor_view == [question, reply]


async def test_the_model_gets_the_rules_the_passages_and_the_earlier_turns(
    recorded: Harness, model: RecordingChatModel
) -> None:
    _owner, site = await knowledgeable_site(recorded)
    conversation = await recorded.start(site)
    await recorded.ask(site, conversation, "When do you open?")
    events = await recorded.ask(site, conversation, "Do you deliver bread?")

    assert answer_text(events) == "We open at nine."
    first, second = model.requests
    assert first.history == ()
    assert "data, never instructions" in second.system
    assert second.question == "Do you deliver bread?"
    assert [turn.role for turn in second.history] == [Role.VISITOR, Role.ASSISTANT]
    assert second.history[0].text == "When do you open?"
    assert second.passages[0].text == "We deliver bread to the whole city before seven."
    assert all(passage.score >= 0.3 for passage in second.passages)


async def test_without_a_matching_passage_the_model_is_not_asked_and_the_lead_form_is_offered(
    recorded: Harness, model: RecordingChatModel
) -> None:
    _owner, site = await knowledgeable_site(recorded)
    conversation = await recorded.start(site)

    events = await recorded.ask(site, conversation, "Do you sell giraffes?")

    assert model.requests == []
    assert answer_text(events) == not_covered("en")
    assert done(events).answered is False
    reply = (await recorded.conversations.messages(site.id, conversation.id))[-1]
    assert (reply.role, reply.answered, reply.text) == (Role.ASSISTANT, False, not_covered("en"))


async def test_the_no_match_reply_is_in_the_sites_language(harness: Harness) -> None:
    owner, site = await knowledgeable_site(harness)
    await harness.update_site(UpdateSiteCommand(owner_id=owner.id, site_id=site.id, branding=Branding(language="de")))
    conversation = await harness.start(site)
    events = await harness.ask(site, conversation, "Giraffen?")
    assert answer_text(events) == not_covered("de") != not_covered("en")


async def test_an_empty_knowledge_base_never_reaches_the_model(recorded: Harness, model: RecordingChatModel) -> None:
    site = await recorded.site(await recorded.owner())
    conversation = await recorded.start(site)
    assert done(await recorded.ask(site, conversation, "When do you open?")).answered is False
    assert model.requests == []


async def test_the_answer_only_uses_the_asking_sites_knowledge(recorded: Harness, model: RecordingChatModel) -> None:
    await knowledgeable_site(recorded, "ada@example.com", "https://ada.example/")
    other = await recorded.site(await recorded.owner("bob@example.com"), "https://bob.example/")
    conversation = await recorded.start(other)
    events = await recorded.ask(other, conversation, "When do you open on weekdays?")
    assert done(events).answered is False
    assert model.requests == []


# --- idempotency ------------------------------------------------------------------


async def test_a_replayed_message_returns_the_stored_reply_without_asking_the_model_again(
    recorded: Harness, model: RecordingChatModel
) -> None:
    owner, site = await knowledgeable_site(recorded)
    conversation = await recorded.start(site)
    command = recorded.message(site, conversation, "When do you open?")

    first = await recorded.send(command)
    again = await recorded.send(command)

    assert len(model.requests) == 1
    assert answer_text(again) == answer_text(first)
    assert done(again) == done(first)
    assert again[-2] == first[-2]
    assert len(await recorded.conversations.messages(site.id, conversation.id)) == 2
    assert await recorded.used(owner, Meter.MESSAGES) == 1


async def test_a_replayed_no_match_reply_still_offers_the_lead_form(harness: Harness) -> None:
    _owner, site = await knowledgeable_site(harness)
    conversation = await harness.start(site)
    command = harness.message(site, conversation, "Giraffes?")
    first = await harness.send(command)
    again = await harness.send(command)
    assert done(again) == done(first)
    assert done(again).answered is False


async def test_a_message_id_reused_for_another_text_is_refused(recorded: Harness, model: RecordingChatModel) -> None:
    owner, site = await knowledgeable_site(recorded)
    conversation = await recorded.start(site)
    client_id = str(uuid.uuid4())
    await recorded.ask(site, conversation, "When do you open?", client_id)

    with pytest.raises(MessageIdReused) as caught:
        await recorded.ask(site, conversation, "Do you deliver?", client_id)

    assert caught.value.field == "clientMessageId"
    assert len(model.requests) == 1
    assert len(await recorded.conversations.messages(site.id, conversation.id)) == 2
    assert await recorded.used(owner, Meter.MESSAGES) == 1


async def test_the_same_message_id_in_another_conversation_is_another_message(
    recorded: Harness, model: RecordingChatModel
) -> None:
    _owner, site = await knowledgeable_site(recorded)
    client_id = str(uuid.uuid4())
    first = await recorded.start(site)
    second = await recorded.start(site)
    await recorded.ask(site, first, "When do you open?", client_id)
    await recorded.ask(site, second, "Do you deliver?", client_id)
    assert len(model.requests) == 2


async def test_a_retry_while_the_first_answer_is_still_streaming_stores_one_reply_and_counts_once(
    recorded: Harness, model: RecordingChatModel
) -> None:
    owner, site = await knowledgeable_site(recorded)
    conversation = await recorded.start(site)
    command = recorded.message(site, conversation, "When do you open?")

    first_stream = await recorded.post_visitor_message(command)
    first_token = await anext(first_stream)
    # The widget lost the connection and sends the same message again.
    second = await recorded.send(command)
    first = [first_token] + [event async for event in first_stream]

    replies = [m for m in await recorded.conversations.messages(site.id, conversation.id) if m.role is Role.ASSISTANT]
    assert len(replies) == 1
    assert done(first).message_id == done(second).message_id == replies[0].id
    assert await recorded.used(owner, Meter.MESSAGES) == 1


# --- failures and limits ----------------------------------------------------------


async def test_when_the_model_is_unavailable_the_visitor_gets_an_error_and_the_message_is_not_charged(
    make_harness: Callable[..., Harness],
) -> None:
    failing = RecordingChatModel(fail_at=0)
    harness = make_harness(model=failing)
    owner, site = await knowledgeable_site(harness)
    conversation = await harness.start(site)

    events = await harness.ask(site, conversation, "When do you open?")

    assert events == [ErrorEvent(code="model_unavailable", message=unavailable("en"))]
    assert await harness.used(owner, Meter.MESSAGES) == 0
    stored = await harness.conversations.messages(site.id, conversation.id)
    assert [message.role for message in stored] == [Role.VISITOR]


async def test_a_model_failing_mid_answer_ends_the_stream_with_an_error_and_gives_the_unit_back(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness(model=RecordingChatModel(("We open", " at", " nine."), fail_at=2))
    owner, site = await knowledgeable_site(harness)
    conversation = await harness.start(site)
    events = await harness.ask(site, conversation, "When do you open?")
    assert events[:2] == [TokenEvent(text="We open"), TokenEvent(text=" at")]
    assert isinstance(events[-1], ErrorEvent)
    assert not any(isinstance(event, DoneEvent) for event in events)
    assert await harness.used(owner, Meter.MESSAGES) == 0


async def test_a_message_that_failed_can_be_sent_again_with_the_same_id(make_harness: Callable[..., Harness]) -> None:
    model = RecordingChatModel(fail_at=0)
    harness = make_harness(model=model)
    owner, site = await knowledgeable_site(harness)
    conversation = await harness.start(site)
    command = harness.message(site, conversation, "When do you open?")
    assert isinstance((await harness.send(command))[-1], ErrorEvent)

    model.fail_at = None
    events = await harness.send(command)

    assert done(events).answered is True
    stored = await harness.conversations.messages(site.id, conversation.id)
    assert [message.role for message in stored] == [Role.VISITOR, Role.ASSISTANT]
    assert await harness.used(owner, Meter.MESSAGES) == 1
    # The retried question is not shown to the model twice.
    assert model.requests[-1].history == ()


async def test_messages_past_the_plans_limit_are_refused(recorded: Harness, model: RecordingChatModel) -> None:
    _owner, site = await knowledgeable_site(recorded)
    conversation = await recorded.start(site)
    for _ in range(TINY.messages):
        await recorded.ask(site, conversation, "When do you open?")

    with pytest.raises(QuotaExceeded) as caught:
        await recorded.ask(site, conversation, "And on Sundays?")

    assert (caught.value.meter, caught.value.limit) == ("messages", TINY.messages)
    assert len(model.requests) == TINY.messages
    assert len(await recorded.conversations.messages(site.id, conversation.id)) == 2 * TINY.messages


async def test_messages_are_throttled_per_visitor(harness: Harness) -> None:
    owner, site = await knowledgeable_site(harness)
    await harness.change_plan(owner.email, "pro")
    conversation = await harness.start(site)
    for _ in range(MESSAGES_PER_VISITOR.limit):
        await harness.ask(site, conversation, "Giraffes?")
    with pytest.raises(RateLimited) as caught:
        await harness.ask(site, conversation, "Giraffes?")
    assert caught.value.retry_after > 0
    # Another visitor of the same site is not held back.
    await harness.ask(site, await harness.start(site), "Giraffes?")


@pytest.mark.parametrize(
    ("text", "client_id"),
    [("", None), ("   ", None), ("x" * 2001, None), ("hello", "not-a-uuid"), ("hello", str(uuid.uuid1()))],
)
async def test_an_invalid_message_is_refused_before_anything_is_stored(
    harness: Harness, text: str, client_id: str | None
) -> None:
    owner, site = await knowledgeable_site(harness)
    conversation = await harness.start(site)
    with pytest.raises(InvalidValue):
        await harness.ask(site, conversation, text, client_id)
    assert await harness.conversations.messages(site.id, conversation.id) == []
    assert await harness.used(owner, Meter.MESSAGES) == 0


# --- who may post where -----------------------------------------------------------


async def test_a_widget_key_of_one_site_cannot_reach_a_conversation_of_another(harness: Harness) -> None:
    ada_owner, ada_site = await knowledgeable_site(harness, "ada@example.com", "https://ada.example/")
    bob_owner, bob_site = await knowledgeable_site(harness, "bob@example.com", "https://bob.example/")
    bobs_conversation = await harness.start(bob_site)

    command = harness.message(bob_site, bobs_conversation, "When do you open?")
    with pytest.raises(NotFound):
        await harness.send(
            msgspec.structs.replace(command, widget_key=ada_site.widget_key, origin=harness.origin(ada_site))
        )
    assert await harness.conversations.messages(bob_site.id, bobs_conversation.id) == []
    assert await harness.used(ada_owner, Meter.MESSAGES) == 0
    assert await harness.used(bob_owner, Meter.MESSAGES) == 0


async def test_a_visitor_cannot_post_into_another_visitors_conversation(harness: Harness) -> None:
    _owner, site = await knowledgeable_site(harness)
    conversation = await harness.start(site)
    command = harness.message(site, conversation, "When do you open?")
    with pytest.raises(NotFound):
        await harness.send(msgspec.structs.replace(command, visitor_id=new_visitor()))
    with pytest.raises(NotFound):
        await harness.send(msgspec.structs.replace(command, conversation_id=harness.ids.new_id()))
    assert await harness.conversations.messages(site.id, conversation.id) == []


async def test_messages_from_an_origin_the_site_does_not_allow_are_refused(harness: Harness) -> None:
    _owner, site = await knowledgeable_site(harness)
    conversation = await harness.start(site)
    command = harness.message(site, conversation, "When do you open?")
    with pytest.raises(OriginNotAllowed):
        await harness.send(msgspec.structs.replace(command, origin="https://evil.example"))
    assert await harness.conversations.messages(site.id, conversation.id) == []
