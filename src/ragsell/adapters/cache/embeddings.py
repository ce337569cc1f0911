"""The last few single texts embedded, remembered: a question is embedded by the retriever
and then again by the extractive answerer, moments apart (about 5 ms of CPU each time)."""

from collections import OrderedDict
from collections.abc import Sequence

from ragsell.application.ports.ai import Embedder

MAX_ENTRIES = 256


class RecentEmbeddings(Embedder):
    def __init__(self, inner: Embedder, *, max_entries: int = MAX_ENTRIES) -> None:
        self._inner = inner
        self.model = inner.model
        self.dimensions = inner.dimensions
        self._max = max_entries
        self._recent: OrderedDict[str, bytes] = OrderedDict()

    async def embed(self, texts: Sequence[str]) -> list[bytes]:
        if len(texts) != 1:  # batches are indexing work: seen once, not worth keeping
            return await self._inner.embed(texts)
        (text,) = texts
        vector = self._recent.get(text)
        if vector is None:
            (vector,) = await self._inner.embed(texts)
            self._recent[text] = vector
            if len(self._recent) > self._max:
                self._recent.popitem(last=False)
        self._recent.move_to_end(text)
        return [vector]
