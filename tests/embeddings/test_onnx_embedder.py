"""The offline embedder: the int8 all-MiniLM-L6-v2 that ships with ragsell's dependencies."""

from collections.abc import Iterator

import numpy as np
import pytest

from ragsell.adapters.local.onnx_embedder import OnnxMiniLMEmbedder


@pytest.fixture(scope="module")
def embedder() -> Iterator[OnnxMiniLMEmbedder]:
    embedder = OnnxMiniLMEmbedder(threads=2, batch_size=3)
    yield embedder
    embedder.close()


def as_array(vector: bytes) -> np.ndarray:
    return np.frombuffer(vector, dtype="<f4")


async def test_vectors_are_unit_length_float32_of_384_dimensions(embedder: OnnxMiniLMEmbedder) -> None:
    vectors = await embedder.embed(["How do I get a refund?", "", "x " * 1000])

    assert embedder.dimensions == 384
    assert embedder.model == "local/all-MiniLM-L6-v2-int8"
    for vector in vectors:
        assert len(vector) == 384 * 4
        assert np.linalg.norm(as_array(vector)) == pytest.approx(1.0, abs=1e-5)


async def test_similar_texts_are_closer_than_unrelated_ones(embedder: OnnxMiniLMEmbedder) -> None:
    question, answer, unrelated = (
        as_array(vector)
        for vector in await embedder.embed(
            [
                "Can I return a product I bought last week?",
                "Returns: items may be sent back within 30 days of purchase for a full refund.",
                "Our office dog is called Biscuit and likes long walks.",
            ]
        )
    )

    assert question @ answer > 0.4
    assert question @ answer > question @ unrelated + 0.3


async def test_the_same_text_gives_the_same_vector(embedder: OnnxMiniLMEmbedder) -> None:
    first = await embedder.embed(["Opening hours are nine to five."])
    second = await embedder.embed(["Opening hours are nine to five."])

    assert first == second


async def test_order_is_kept_across_batches_of_mixed_lengths(embedder: OnnxMiniLMEmbedder) -> None:
    texts = [f"{'long ' * (count * 7)}passage number {count}" for count in (9, 1, 5, 0, 7, 3, 8, 2)]

    together = await embedder.embed(texts)
    alone = [(await embedder.embed([text]))[0] for text in texts]

    for joint, single in zip(together, alone, strict=True):
        assert as_array(joint) == pytest.approx(as_array(single), abs=1e-4)


async def test_nothing_to_embed_gives_nothing(embedder: OnnxMiniLMEmbedder) -> None:
    assert await embedder.embed([]) == []


async def test_long_texts_are_cut_at_256_word_pieces(embedder: OnnxMiniLMEmbedder) -> None:
    start = "The warranty covers parts and labour for two years. "
    (short, long) = await embedder.embed([start + "word " * 250, start + "word " * 250 + "unrelated tail " * 400])

    assert short == long
