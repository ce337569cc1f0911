"""Embeddings from OpenAI, or from any server that speaks its embeddings API (vLLM,
Ollama, llama.cpp server) at ``base_url``."""

import asyncio
import base64
import random
from collections.abc import Sequence

import numpy as np
import openai
from openai.types import CreateEmbeddingResponse

from ragsell.application.ports.ai import Embedder, EmbeddingUnavailable

DEFAULT_MODEL = "text-embedding-3-small"
# Native sizes of OpenAI's models; other models need their size given.
NATIVE_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}
# OpenAI takes up to 2,048 inputs and 300,000 tokens a request; chunks run ~250 tokens.
DEFAULT_BATCH_SIZE = 256
_TRANSIENT_STATUSES = frozenset({408, 409, 429})


def _is_transient(error: openai.APIError) -> bool:
    if isinstance(error, openai.APIConnectionError):  # includes time-outs
        return True
    return isinstance(error, openai.APIStatusError) and (
        error.status_code in _TRANSIENT_STATUSES or error.status_code >= 500
    )


def _retry_after(error: openai.APIError) -> float | None:
    """The wait the server asked for, in seconds, when it said one."""
    if not isinstance(error, openai.APIStatusError):
        return None
    for header, seconds in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = error.response.headers.get(header)
        try:
            return max(0.0, float(value) * seconds)
        except (TypeError, ValueError):  # absent, or an HTTP date: fall back to backoff
            continue
    return None


def _vector(embedding: object) -> np.ndarray:
    if isinstance(embedding, str):  # base64 of little-endian float32, as OpenAI sends it
        return np.frombuffer(base64.b64decode(embedding), dtype="<f4")
    return np.asarray(embedding, dtype="<f4")


class OpenAIEmbedder(Embedder):
    """Batches of ``batch_size`` texts a request. Rate limits (429), server errors,
    dropped connections and time-outs are retried up to ``retries`` times with
    exponential backoff (``backoff`` seconds doubled each time, with jitter, at most
    ``max_wait``) or after the Retry-After the server sent; then, or on any other API
    error, EmbeddingUnavailable tells the caller to try the work again later."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        model: str = DEFAULT_MODEL,
        dimensions: int | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        timeout: float = 30.0,
        retries: int = 5,
        backoff: float = 1.0,
        max_wait: float = 60.0,
    ) -> None:
        native = NATIVE_DIMENSIONS.get(model)
        if dimensions is None and native is None:
            raise ValueError(f"Give the number of dimensions of the embedding model {model!r}.")
        self.dimensions = dimensions or native or 0
        self.model = f"openai/{model}@{self.dimensions}"
        self._model = model
        self._requested_dimensions = dimensions if dimensions != native else None
        self._batch_size = batch_size
        self._retries = retries
        self._backoff = backoff
        self._max_wait = max_wait
        # One retry policy, ours: the SDK's would multiply with it.
        self._client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0)

    async def embed(self, texts: Sequence[str]) -> list[bytes]:
        vectors: list[bytes] = []
        for start in range(0, len(texts), self._batch_size):
            vectors.extend(await self._embed_batch(texts[start : start + self._batch_size]))
        return vectors

    async def _embed_batch(self, texts: Sequence[str]) -> list[bytes]:
        attempt = 0
        while True:
            try:
                return self._decode(await self._request(texts), len(texts))
            except openai.APIError as error:
                wait = self._wait(error, attempt)
                if not _is_transient(error) or attempt == self._retries or wait > self._max_wait:
                    raise EmbeddingUnavailable(f"Embedding with {self._model} failed: {error}") from error
            await asyncio.sleep(wait)
            attempt += 1

    def _wait(self, error: openai.APIError, attempt: int) -> float:
        asked = _retry_after(error)
        if asked is not None:
            return asked
        return min(self._max_wait, self._backoff * 2**attempt) * random.uniform(0.75, 1.0)  # noqa: S311

    async def _request(self, texts: Sequence[str]) -> CreateEmbeddingResponse:
        # Sent only when chosen: older models and many compatible servers refuse the field.
        chosen = {"dimensions": self._requested_dimensions} if self._requested_dimensions is not None else {}
        return await self._client.embeddings.create(
            model=self._model,
            # The API refuses empty strings.
            input=[text or " " for text in texts],
            encoding_format="base64",
            **chosen,
        )

    def _decode(self, response: CreateEmbeddingResponse, count: int) -> list[bytes]:
        rows = sorted(response.data, key=lambda item: item.index)
        if [row.index for row in rows] != list(range(count)):
            raise EmbeddingUnavailable(f"{self._model} returned {len(rows)} embeddings for {count} texts.")
        vectors = np.stack([_vector(row.embedding) for row in rows]) if rows else np.empty((0, self.dimensions))
        if vectors.shape[1] != self.dimensions:
            raise EmbeddingUnavailable(f"{self._model} returned {vectors.shape[1]} dimensions, not {self.dimensions}.")
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return [row.astype("<f4").tobytes() for row in vectors]

    async def close(self) -> None:
        await self._client.close()
