"""The offline quoting answerer."""

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ragsell.adapters.local.quoting_chat_model import MAX_QUOTE_CHARACTERS, QuotingChatModel, quote
from ragsell.application.ports.ai import ChatRequest
from ragsell.domain.ids import SiteId
from ragsell.domain.knowledge import Passage

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SITE = SiteId("a" * 22)
OTHER_SITE = SiteId("b" * 22)


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
