"""Messages, page views and who counts as "active now"."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ragsell.adapters.memory.page_views import InMemoryPageViewRepository
from ragsell.domain.conversations import (
    ACTIVE_WINDOW,
    MAX_CITATIONS,
    MAX_MESSAGE_LENGTH,
    Citation,
    Conversation,
    Message,
    PageView,
    Role,
    check_message_text,
    count_active_visitors,
)
from ragsell.domain.errors import InvalidValue
from ragsell.domain.ids import ClientMessageId, ConversationId, MessageId, SiteId, VisitorId

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SITES = [SiteId("a" * 22), SiteId("b" * 22)]
VISITORS = [VisitorId(f"0b6f6c0e-4a5b-4c3d-9e8f-{index:012d}") for index in range(6)]


def view(site: SiteId, visitor: VisitorId, at: datetime) -> PageView:
    return PageView(site_id=site, visitor_id=visitor, url="https://example.com/", referrer=None, viewed_at=at)


page_views = st.lists(
    st.builds(
        view,
        st.sampled_from(SITES),
        st.sampled_from(VISITORS),
        # Whole seconds around the window's edges, so the boundaries are hit often.
        st.integers(min_value=-15 * 60, max_value=2 * 60).map(lambda seconds: NOW + timedelta(seconds=seconds)),
    ),
    max_size=60,
)


def brute_force_active(views: list[PageView], site: SiteId, now: datetime, window: timedelta) -> int:
    active = set()
    for seen in views:
        if seen.site_id == site and now - window < seen.viewed_at and seen.viewed_at <= now:
            active.add(seen.visitor_id)
    return len(active)


@settings(max_examples=200, deadline=None)
@given(page_views, st.sampled_from(SITES), st.integers(min_value=1, max_value=20).map(lambda m: timedelta(minutes=m)))
def test_active_now_counts_distinct_visitors_inside_the_window_only(
    views: list[PageView], site: SiteId, window: timedelta
) -> None:
    expected = brute_force_active(views, site, NOW, window)
    assert count_active_visitors([seen for seen in views if seen.site_id == site], now=NOW, window=window) == expected


@settings(max_examples=100, deadline=None)
@given(page_views, st.sampled_from(SITES))
def test_the_memory_page_view_store_counts_active_visitors_like_the_rule(views: list[PageView], site: SiteId) -> None:
    async def run() -> int:
        store = InMemoryPageViewRepository()
        for seen in views:
            await store.add(seen, expires_at=seen.viewed_at + timedelta(days=30))
        return await store.count_visitors(site, since=NOW - ACTIVE_WINDOW, until=NOW)

    assert asyncio.run(run()) == brute_force_active(views, site, NOW, ACTIVE_WINDOW)


def test_active_now_window_is_open_at_its_start_and_closed_at_now() -> None:
    views = [
        view(SITES[0], VISITORS[0], NOW - ACTIVE_WINDOW),
        view(SITES[0], VISITORS[1], NOW - ACTIVE_WINDOW + timedelta(seconds=1)),
        view(SITES[0], VISITORS[2], NOW),
        view(SITES[0], VISITORS[3], NOW + timedelta(seconds=1)),
        view(SITES[0], VISITORS[2], NOW - timedelta(seconds=5)),
    ]
    assert count_active_visitors(views, now=NOW) == 2


def test_expired_page_views_do_not_count_as_active() -> None:
    async def run() -> int:
        store = InMemoryPageViewRepository()
        await store.add(view(SITES[0], VISITORS[0], NOW - timedelta(minutes=1)), expires_at=NOW - timedelta(seconds=1))
        await store.add(view(SITES[0], VISITORS[1], NOW - timedelta(minutes=1)), expires_at=NOW + timedelta(days=1))
        return await store.count_visitors(SITES[0], since=NOW - ACTIVE_WINDOW, until=NOW)

    assert asyncio.run(run()) == 1


# --- messages ---------------------------------------------------------------------


def test_message_text_is_trimmed_and_bounded() -> None:
    assert check_message_text("  hello \n") == "hello"
    assert check_message_text("x" * MAX_MESSAGE_LENGTH) == "x" * MAX_MESSAGE_LENGTH
    for bad in ("", "   \n\t", "x" * (MAX_MESSAGE_LENGTH + 1)):
        with pytest.raises(InvalidValue):
            check_message_text(bad)


def message(**changes: object) -> Message:
    fields: dict[str, object] = {
        "id": MessageId("m" * 22),
        "conversation_id": ConversationId("c" * 22),
        "site_id": SITES[0],
        "role": Role.ASSISTANT,
        "text": "Hi",
        "client_message_id": ClientMessageId("0b6f6c0e-4a5b-4c3d-9e8f-0123456789ab"),
        "created_at": NOW,
    }
    fields.update(changes)
    return Message(**fields)  # type: ignore[arg-type]


def test_only_replies_carry_citations_and_an_answered_flag() -> None:
    cited = (Citation(url="https://example.com/a", title="A"),)
    assert message(citations=cited, answered=True).citations == cited
    with pytest.raises(InvalidValue):
        message(role=Role.VISITOR, citations=cited)
    with pytest.raises(InvalidValue):
        message(role=Role.VISITOR, answered=False)


def test_a_reply_cites_a_bounded_number_of_pages() -> None:
    citations = tuple(
        Citation(url=f"https://example.com/{index}", title=str(index)) for index in range(MAX_CITATIONS + 1)
    )
    assert len(message(citations=citations[:MAX_CITATIONS]).citations) == MAX_CITATIONS
    with pytest.raises(InvalidValue):
        message(citations=citations)


def test_a_conversation_cannot_end_before_it_starts() -> None:
    fields = {"id": ConversationId("c" * 22), "site_id": SITES[0], "visitor_id": VISITORS[0], "started_at": NOW}
    assert Conversation(last_message_at=NOW, **fields).started_at == NOW  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        Conversation(last_message_at=NOW - timedelta(seconds=1), **fields)  # type: ignore[arg-type]
