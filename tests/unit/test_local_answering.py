"""The offline pair: keyword retrieval over snippets, and the quoting answerer."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ragsell.adapters.local.keyword_retriever import KeywordRetriever, terms
from ragsell.adapters.local.quoting_chat_model import MAX_QUOTE_CHARACTERS, QuotingChatModel, quote
from ragsell.adapters.memory.snippets import InMemorySnippetRepository
from ragsell.application.ports.ai import ChatRequest
from ragsell.domain.ids import SiteId, SnippetId
from ragsell.domain.knowledge import Passage, Snippet, SnippetKind

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SITE = SiteId("a" * 22)
OTHER_SITE = SiteId("b" * 22)


async def store_of(*entries: tuple[SiteId, str, str]) -> InMemorySnippetRepository:
    snippets = InMemorySnippetRepository()
    for index, (site, title, text) in enumerate(entries):
        await snippets.add(
            Snippet(
                id=SnippetId(f"{index:022d}"),
                site_id=site,
                kind=SnippetKind.TEXT,
                title=title,
                question=None,
                text=text,
                created_at=NOW + timedelta(seconds=index),
            )
        )
    return snippets


# --- keyword retriever ------------------------------------------------------------


async def test_the_retriever_only_searches_the_given_sites_snippets() -> None:
    snippets = await store_of(
        (SITE, "Opening hours", "We open at nine every weekday."),
        (OTHER_SITE, "Opening hours", "The other shop opens at noon on weekdays."),
    )
    found = await KeywordRetriever(snippets).search(SITE, "when do you open on weekdays", limit=5)
    assert [passage.text for passage in found] == ["We open at nine every weekday."]
    assert await KeywordRetriever(snippets).search(SiteId("c" * 22), "open", limit=5) == []


async def test_a_snippet_with_every_query_term_scores_one_and_beats_a_partial_match() -> None:
    snippets = await store_of(
        (SITE, "Shipping", "We ship parcels to Germany within three days."),
        (SITE, "Returns", "Parcels can be returned within thirty days."),
        (SITE, "Bread", "Our sourdough is baked daily."),
    )
    found = await KeywordRetriever(snippets).search(SITE, "ship parcels to Germany", limit=5)
    assert found[0] == Passage(text="We ship parcels to Germany within three days.", score=1.0)
    assert [passage.text for passage in found[1:]] == ["Parcels can be returned within thirty days."]
    assert 0 < found[1].score < found[0].score


async def test_the_retriever_matches_titles_and_questions_too() -> None:
    snippets = InMemorySnippetRepository()
    await snippets.add(
        Snippet(
            id=SnippetId("q" * 22),
            site_id=SITE,
            kind=SnippetKind.QA,
            title="Payment",
            question="Do you accept PayPal?",
            text="Yes, and all major cards.",
            created_at=NOW,
        )
    )
    found = await KeywordRetriever(snippets).search(SITE, "paypal", limit=3)
    assert found == [Passage(text="Yes, and all major cards.", score=1.0)]


async def test_a_query_of_stopwords_or_nothing_finds_nothing() -> None:
    snippets = await store_of((SITE, "About", "What we do and how we do it."))
    retriever = KeywordRetriever(snippets)
    assert await retriever.search(SITE, "what is the", limit=3) == []
    assert await retriever.search(SITE, "   ", limit=3) == []
    assert await retriever.search(SITE, "giraffe", limit=3) == []


async def test_the_retriever_returns_at_most_the_limit_best_first() -> None:
    snippets = await store_of(
        *((SITE, f"Cake {index}", "cake " * (index + 1) + f"flavour{index}") for index in range(6))
    )
    found = await KeywordRetriever(snippets).search(SITE, "cake flavour3", limit=2)
    assert len(found) == 2
    assert found[0].text.endswith("flavour3")
    assert found[0].score >= found[1].score


words = st.sampled_from(["cake", "bread", "open", "price", "the", "ship", "Germany", "day", "café", "ÜBER", "a"])
texts = st.lists(words, min_size=1, max_size=12).map(" ".join)


@settings(max_examples=75, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([SITE, OTHER_SITE]), texts), min_size=1, max_size=8), texts)
async def test_retrieval_scores_lie_between_zero_and_one_best_first(
    entries: list[tuple[SiteId, str]], query: str
) -> None:
    snippets = await store_of(*((site, "t", text) for site, text in entries))
    found = await KeywordRetriever(snippets).search(SITE, query, limit=10)
    site_texts = [text for site, text in entries if site == SITE]
    assert all(0.0 < passage.score <= 1.0 for passage in found)
    assert [passage.score for passage in found] == sorted((passage.score for passage in found), reverse=True)
    assert all(passage.text in site_texts for passage in found)
    for passage in found:
        assert (passage.score == 1.0) == (set(terms(query)) <= set(terms("t\n" + passage.text)))


# --- quoting answerer -------------------------------------------------------------


def test_quote_keeps_whole_sentences_within_the_limit() -> None:
    text = "First sentence here. Second one!  Third?\nFourth."
    assert quote(text, limit=40) == "First sentence here. Second one! Third?"
    assert quote(text, limit=1000) == "First sentence here. Second one! Third? Fourth."


def test_quote_cuts_a_first_sentence_longer_than_the_limit() -> None:
    assert quote("x" * 50 + ". Next.", limit=20) == "x" * 20


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab .!?\n", max_size=400), st.integers(min_value=1, max_value=120))
def test_a_quote_is_never_longer_than_the_limit_and_starts_the_text(text: str, limit: int) -> None:
    quoted = quote(text, limit=limit)
    assert len(quoted) <= limit
    assert " ".join(text.split()).startswith(quoted)


async def test_the_quoting_model_streams_the_best_passage_word_by_word() -> None:
    request = ChatRequest(
        system="rules",
        history=(),
        passages=(
            Passage(text="We open at nine. We close at six.", score=0.9),
            Passage(text="Never quoted.", score=0.5),
        ),
        question="When do you open?",
    )
    pieces = [piece async for piece in QuotingChatModel().stream(request)]
    assert pieces == ["We", " open", " at", " nine.", " We", " close", " at", " six."]


async def test_the_quoting_model_says_nothing_without_passages() -> None:
    request = ChatRequest(system="rules", history=(), passages=(), question="Anything?")
    assert [piece async for piece in QuotingChatModel().stream(request)] == []


@pytest.mark.parametrize("length", [MAX_QUOTE_CHARACTERS, MAX_QUOTE_CHARACTERS * 3])
async def test_the_quoting_model_stays_within_the_quote_limit(length: int) -> None:
    text = ("Sentence number one is here. " * (length // 29 + 1))[:length]
    request = ChatRequest(system="", history=(), passages=(Passage(text=text, score=1.0),), question="?")
    answer = "".join([piece async for piece in QuotingChatModel().stream(request)])
    assert len(answer) <= MAX_QUOTE_CHARACTERS
    assert answer.endswith(".")
