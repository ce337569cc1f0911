"""The offline answerer composes replies from the passages' best sentences, with the real
offline embedder."""

import re

from ragsell.adapters.local.extractive_answerer import MAX_CHARACTERS, MAX_SENTENCES, ExtractiveAnswerer
from ragsell.application.ports.ai import ChatRequest
from ragsell.domain.conversations import Citation, ModelUsage
from ragsell.domain.knowledge import Passage
from ragsell.domain.sentences import split_sentences
from tests.conftest import shared_embedder

HOURS = Citation(url="https://bakery.example/hours", title="Opening hours", heading="Shop hours")
CAKES = Citation(url="https://bakery.example/cakes", title="Cakes", heading="Ordering a cake")


async def with_sentence_vectors(text: str, citation: Citation | None, score: float = 0.7) -> Passage:
    vectors = await shared_embedder().embed(split_sentences(text))
    return Passage(text=text, score=score, citation=citation, sentence_vectors=b"".join(vectors))


async def answer(question: str, *passages: Passage) -> tuple[str, list[ModelUsage]]:
    answerer = ExtractiveAnswerer(shared_embedder())
    request = ChatRequest(system="rules", history=(), passages=passages, question=question)
    pieces = [piece async for piece in answerer.stream(request)]
    return "".join(p for p in pieces if isinstance(p, str)), [p for p in pieces if isinstance(p, ModelUsage)]


HOURS_TEXT = (
    "Our bakery was founded in 1998 by two sisters from Porto. "
    "The shop is open Tuesday to Sunday from 7am to 7pm. "
    "We are closed on Mondays and on public holidays. "
    "Parking is available behind the building."
)
CAKES_TEXT = "Order celebration cakes at least three days ahead. A two-tier chocolate cake serves twenty people."


async def test_the_reply_is_the_sentences_that_answer_with_a_link_to_their_page() -> None:
    reply, usage = await answer(
        "Are you open on Mondays?",
        await with_sentence_vectors(HOURS_TEXT, HOURS),
        await with_sentence_vectors(CAKES_TEXT, CAKES),
    )
    assert "closed on Mondays" in reply
    assert "founded in 1998" not in reply
    assert "[Shop hours](https://bakery.example/hours)" in reply
    assert usage == [ModelUsage(stop_reason="extracted")]


async def test_every_sentence_comes_from_the_passages_word_for_word() -> None:
    reply, _ = await answer(
        "How far ahead do I order a cake, and when is the shop open?",
        await with_sentence_vectors(HOURS_TEXT, HOURS),
        await with_sentence_vectors(CAKES_TEXT, CAKES),
    )
    sources = split_sentences(HOURS_TEXT) + split_sentences(CAKES_TEXT)
    body = re.sub(r" \(\[[^\]]*\]\([^)]*\)\)", "", reply)
    for paragraph in body.split("\n\n"):
        for sentence in split_sentences(paragraph):
            assert sentence in sources
    assert len(split_sentences(body)) <= MAX_SENTENCES
    assert len(body) <= MAX_CHARACTERS + 200


async def test_passages_without_stored_sentence_vectors_are_embedded_on_the_spot() -> None:
    reply, _ = await answer("Are you open on Mondays?", Passage(text=HOURS_TEXT, score=0.7, citation=HOURS))
    assert "closed on Mondays" in reply


async def test_snippets_without_a_page_get_no_link() -> None:
    reply, _ = await answer("When do you close?", await with_sentence_vectors(HOURS_TEXT, None))
    assert "](" not in reply


async def test_sentences_in_the_visitors_language_are_preferred() -> None:
    bilingual = (
        "The shop is open Tuesday to Sunday from 7am to 7pm. "
        "La tienda está abierta de martes a domingo de 7 a 19 horas."
    )
    reply, _ = await answer("¿Cuándo está abierta la tienda?", await with_sentence_vectors(bilingual, HOURS))
    assert "La tienda está abierta" in reply
    assert "The shop is open" not in reply


async def test_no_passages_no_reply() -> None:
    assert await answer("Anything?") == ("", [])
