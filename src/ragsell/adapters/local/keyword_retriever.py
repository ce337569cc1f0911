"""Keyword search over a site's snippets: the retriever that needs nothing but the store."""

import math
import re
from collections import Counter

from ragsell.application.ports.ai import Retriever
from ragsell.application.ports.repositories import SnippetRepository
from ragsell.domain.ids import SiteId
from ragsell.domain.knowledge import Passage

_WORD = re.compile(r"\w+", re.UNICODE)
# Words too common to say anything about relevance.
_STOPWORD_LIST = (
    "a an and are as at be but by can do does for from has have how i if in is it its me my "
    "of on or our so than that the their them there they this to was we what when where which who "
    "why will with you your"
)
_STOPWORDS = frozenset(_STOPWORD_LIST.split())


def terms(text: str) -> list[str]:
    return [word for word in _WORD.findall(text.lower()) if word not in _STOPWORDS]


class KeywordRetriever(Retriever):
    """Scores each snippet by the share of the query's informative weight (IDF) it
    contains, so 1.0 means every query term appears and 0 means none does."""

    def __init__(self, snippets: SnippetRepository) -> None:
        self._snippets = snippets

    async def search(self, site_id: SiteId, query: str, *, limit: int) -> list[Passage]:
        query_terms = set(terms(query))
        snippets = await self._snippets.list_for_site(site_id)
        if not query_terms or not snippets:
            return []
        documents = [set(terms(snippet.searchable_text)) for snippet in snippets]
        frequency = Counter(term for document in documents for term in document & query_terms)
        weight = {term: math.log(1 + (len(documents) + 1) / (frequency[term] + 0.5)) for term in query_terms}
        total = sum(weight.values())
        scored = [
            (sum(weight[term] for term in query_terms & document) / total, index)
            for index, document in enumerate(documents)
        ]
        best = sorted((item for item in scored if item[0] > 0), key=lambda item: (-item[0], item[1]))[:limit]
        return [Passage(text=snippets[index].text, score=round(min(score, 1.0), 6)) for score, index in best]
