"""Answering a question from a site's knowledge base: the passages that are relevant
enough, and the model's answer as it may be shown (see ``domain.answers``). Shared by
the widget's visitors and the owner's "try it" box."""

from collections.abc import AsyncIterator

from ragsell.application.ports.ai import ChatModel, ChatRequest, Retriever
from ragsell.domain.answers import AnswerSanitizer, site_link_rule
from ragsell.domain.conversations import Citation, ModelUsage
from ragsell.domain.knowledge import Passage
from ragsell.domain.sites import Site

# Passages scoring below this do not count as the knowledge base knowing the answer: on
# the Python FAQ benchmark every question still found its answer and 19 of 20 off-topic
# questions were declined at 0.4 (docs/benchmarks.md; it depends on the embedding model).
RELEVANCE_THRESHOLD = 0.4
PASSAGE_LIMIT = 4


async def closest_passages(retriever: Retriever, site: Site, question: str) -> list[Passage]:
    """The site's closest passages, best first, relevant or not."""
    return await retriever.search(site.id, question, limit=PASSAGE_LIMIT)


def relevant(passages: list[Passage]) -> list[Passage]:
    return [passage for passage in passages if passage.score >= RELEVANCE_THRESHOLD]


def citations_of(passages: list[Passage]) -> tuple[Citation, ...]:
    return tuple(dict.fromkeys(passage.citation for passage in passages if passage.citation is not None))


async def sanitized_answer(model: ChatModel, request: ChatRequest, site: Site) -> AsyncIterator[str | ModelUsage]:
    """The model's answer in pieces safe to show, then its usage when it reports one.
    Raises ModelUnavailable as the model does."""
    sanitizer = AnswerSanitizer(site_link_rule(site.url, www_is_same_site=site.crawl.www_is_same_site))
    async for piece in model.stream(request):
        if isinstance(piece, ModelUsage):
            yield piece
        elif shown := sanitizer.feed(piece):
            yield shown
    if rest := sanitizer.finish():
        yield rest
