"""A question embedded twice in a row is embedded once; batches pass straight through."""

from collections.abc import Sequence

from ragsell.adapters.cache.embeddings import RecentEmbeddings
from ragsell.application.ports.ai import Embedder


class CountingEmbedder(Embedder):
    model = "test/counting"
    dimensions = 1

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    async def embed(self, texts: Sequence[str]) -> list[bytes]:
        self.calls.append(list(texts))
        return [len(text).to_bytes(4, "little") for text in texts]


async def test_the_same_question_is_embedded_once() -> None:
    inner = CountingEmbedder()
    recent = RecentEmbeddings(inner)
    first = await recent.embed(["When do you open?"])
    again = await recent.embed(["When do you open?"])
    assert first == again
    assert inner.calls == [["When do you open?"]]
    assert (recent.model, recent.dimensions) == (inner.model, inner.dimensions)


async def test_batches_are_not_kept_and_old_questions_are_forgotten() -> None:
    inner = CountingEmbedder()
    recent = RecentEmbeddings(inner, max_entries=2)
    await recent.embed(["a", "b"])
    await recent.embed(["a", "b"])
    for text in ("one", "two", "three", "one"):
        await recent.embed([text])
    assert inner.calls == [["a", "b"], ["a", "b"], ["one"], ["two"], ["three"], ["one"]]
