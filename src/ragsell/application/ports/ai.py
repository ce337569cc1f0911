"""Finding what the knowledge base says, and the model that phrases answers."""

from collections.abc import AsyncIterator, Sequence
from typing import Protocol

import msgspec

from ragsell.domain.conversations import ModelUsage, Role
from ragsell.domain.ids import SiteId
from ragsell.domain.knowledge import Passage


class ChatTurn(msgspec.Struct, frozen=True, kw_only=True):
    role: Role
    text: str


class ChatRequest(msgspec.Struct, frozen=True, kw_only=True):
    system: str
    history: tuple[ChatTurn, ...]
    # Passages are data: adapters place them apart from the rules, never inside them.
    passages: tuple[Passage, ...]
    question: str


class ModelUnavailable(Exception):
    """The model could not answer: throttled, failed, timed out or stalled."""


class ChatModel(Protocol):
    def stream(self, request: ChatRequest) -> AsyncIterator[str | ModelUsage]:
        """Text of the answer, piece by piece, then (from models that report it) one
        ModelUsage. Raises ModelUnavailable, also when the stream stalls or runs past
        its deadline."""


class Retriever(Protocol):
    async def search(self, site_id: SiteId, query: str, *, limit: int) -> list[Passage]:
        """The site's passages closest to ``query``, best first; only that site's."""


class EmbeddingUnavailable(Exception):
    """The embedder could not embed now (rate limit, outage); the work can be retried."""


class Embedder(Protocol):
    # Names the model and its settings; vectors of different models never mix.
    model: str
    dimensions: int

    async def embed(self, texts: Sequence[str]) -> list[bytes]:
        """One unit-length float32 vector (little-endian bytes) per text, in order.
        Raises EmbeddingUnavailable."""
