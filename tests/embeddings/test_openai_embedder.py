"""The OpenAI embedder against a local server that speaks OpenAI's embeddings API."""

import time
from collections.abc import AsyncIterator, Iterator

import numpy as np
import pytest

from ragsell.adapters.openai.embedder import OpenAIEmbedder
from ragsell.application.ports.ai import EmbeddingUnavailable
from tests.embeddings.openai_server import Failure, FakeOpenAI, serving, vector_for


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with serving(FakeOpenAI()) as fake:
        yield fake


def make_embedder(server: FakeOpenAI, **options: object) -> OpenAIEmbedder:
    settings: dict = {"api_key": "sk-test", "base_url": server.base_url, "backoff": 0.01, **options}
    return OpenAIEmbedder(**settings)


@pytest.fixture
async def embedder(server: FakeOpenAI) -> AsyncIterator[OpenAIEmbedder]:
    embedder = make_embedder(server)
    yield embedder
    await embedder.close()


def as_array(vector: bytes) -> np.ndarray:
    return np.frombuffer(vector, dtype="<f4")


async def test_vectors_are_the_servers_normalised_in_order(embedder: OpenAIEmbedder, server: FakeOpenAI) -> None:
    texts = ["refund policy", "opening hours", "shipping to Canada"]

    vectors = await embedder.embed(texts)

    for text, vector in zip(texts, vectors, strict=True):
        expected = vector_for(text, 1536)
        assert len(vector) == 1536 * 4
        assert np.linalg.norm(as_array(vector)) == pytest.approx(1.0, abs=1e-6)
        assert as_array(vector) == pytest.approx(expected / np.linalg.norm(expected), abs=1e-6)


async def test_requests_ask_for_base64_of_the_configured_model(embedder: OpenAIEmbedder, server: FakeOpenAI) -> None:
    await embedder.embed(["a question"])

    (request,) = server.requests
    assert request == {"model": "text-embedding-3-small", "input": ["a question"], "encoding_format": "base64"}
    assert embedder.model == "openai/text-embedding-3-small@1536"
    assert embedder.dimensions == 1536


async def test_chosen_dimensions_are_requested_and_recorded_in_the_model_name(server: FakeOpenAI) -> None:
    embedder = make_embedder(server, model="text-embedding-3-large", dimensions=256)

    (vector,) = await embedder.embed(["pricing"])
    await embedder.close()

    assert server.requests[0]["dimensions"] == 256
    assert server.requests[0]["model"] == "text-embedding-3-large"
    assert len(vector) == 256 * 4
    assert embedder.model == "openai/text-embedding-3-large@256"


def test_a_model_of_unknown_size_needs_its_dimensions() -> None:
    with pytest.raises(ValueError, match="dimensions"):
        OpenAIEmbedder(api_key="sk-test", model="nomic-embed-text")


async def test_many_texts_go_in_batches_and_keep_their_order(server: FakeOpenAI) -> None:
    embedder = make_embedder(server, batch_size=4)
    texts = [f"passage {number}" for number in range(10)]

    vectors = await embedder.embed(texts)
    await embedder.close()

    assert [len(request["input"]) for request in server.requests] == [4, 4, 2]
    expected = [vector_for(text, 1536) for text in texts]
    assert [as_array(vector) @ (e / np.linalg.norm(e)) for vector, e in zip(vectors, expected, strict=True)] == [
        pytest.approx(1.0, abs=1e-5)
    ] * 10


async def test_no_texts_make_no_request(embedder: OpenAIEmbedder, server: FakeOpenAI) -> None:
    assert await embedder.embed([]) == []
    assert server.requests == []


async def test_empty_texts_are_sent_as_a_space(embedder: OpenAIEmbedder, server: FakeOpenAI) -> None:
    (vector,) = await embedder.embed([""])

    assert server.requests[0]["input"] == [" "]
    assert len(vector) == 1536 * 4


async def test_a_rate_limit_is_waited_out_as_the_server_asks(embedder: OpenAIEmbedder, server: FakeOpenAI) -> None:
    server.failures = [Failure(status=429, headers={"Retry-After": "0.3"})]

    started = time.monotonic()
    vectors = await embedder.embed(["after the wait"])

    assert time.monotonic() - started >= 0.3
    assert len(server.requests) == 2
    assert len(vectors) == 1


async def test_server_errors_are_retried_with_backoff(embedder: OpenAIEmbedder, server: FakeOpenAI) -> None:
    server.failures = [Failure(status=500), Failure(status=503)]

    vectors = await embedder.embed(["third time lucky"])

    assert len(server.requests) == 3
    assert len(vectors) == 1


async def test_persistent_server_errors_make_the_embedder_unavailable(server: FakeOpenAI) -> None:
    embedder = make_embedder(server, retries=2)
    server.failures = [Failure(status=500)] * 5

    with pytest.raises(EmbeddingUnavailable):
        await embedder.embed(["never"])
    await embedder.close()

    assert len(server.requests) == 3


async def test_a_wait_longer_than_allowed_gives_up_at_once(server: FakeOpenAI) -> None:
    embedder = make_embedder(server, max_wait=5.0)
    server.failures = [Failure(status=429, headers={"Retry-After": "3600"})]

    with pytest.raises(EmbeddingUnavailable):
        await embedder.embed(["later"])
    await embedder.close()

    assert len(server.requests) == 1


async def test_a_refused_request_is_not_retried(embedder: OpenAIEmbedder, server: FakeOpenAI) -> None:
    server.failures = [Failure(status=401)]

    with pytest.raises(EmbeddingUnavailable):
        await embedder.embed(["bad key"])

    assert len(server.requests) == 1


async def test_a_server_that_does_not_answer_in_time_is_retried_then_given_up(server: FakeOpenAI) -> None:
    embedder = make_embedder(server, timeout=0.2, retries=1)
    server.failures = [Failure(status=200, delay=1.0)] * 2

    started = time.monotonic()
    with pytest.raises(EmbeddingUnavailable):
        await embedder.embed(["slow"])
    await embedder.close()

    assert len(server.requests) == 2
    assert time.monotonic() - started < 1.5


async def test_a_time_out_then_an_answer_succeeds(server: FakeOpenAI) -> None:
    embedder = make_embedder(server, timeout=0.2)
    server.failures = [Failure(status=200, delay=1.0)]

    vectors = await embedder.embed(["eventually"])
    await embedder.close()

    assert len(vectors) == 1


async def test_servers_that_only_send_floats_work_too(server: FakeOpenAI) -> None:
    embedder = make_embedder(server)
    original = server.answer

    def answer_in_floats(body: dict) -> tuple[int, dict[str, str], dict, float]:
        return original({**body, "encoding_format": "float"})

    server.answer = answer_in_floats  # type: ignore[method-assign]
    (vector,) = await embedder.embed(["plain floats"])
    await embedder.close()

    expected = vector_for("plain floats", 1536)
    assert as_array(vector) == pytest.approx(expected / np.linalg.norm(expected), abs=1e-6)
