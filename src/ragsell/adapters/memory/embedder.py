"""A deterministic embedder for the in-memory harness: words hashed into a fixed number
of dimensions (the "hashing trick"), then normalized. Texts sharing words are close,
as with a real model, and nothing is loaded."""

import hashlib
import math
import re
import struct
from collections.abc import Sequence

from ragsell.application.ports.ai import Embedder

_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder(Embedder):
    def __init__(self, dimensions: int = 256) -> None:
        self.dimensions = dimensions
        self.model = f"memory/hashing-{dimensions}"

    def _vector(self, text: str) -> bytes:
        counts = [0.0] * self.dimensions
        for word in _WORD.findall(text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            counts[int.from_bytes(digest[:4], "little") % self.dimensions] += 1.0 if digest[4] & 1 else -1.0
        norm = math.sqrt(sum(value * value for value in counts)) or 1.0
        return struct.pack(f"<{self.dimensions}f", *(value / norm for value in counts))

    async def embed(self, texts: Sequence[str]) -> list[bytes]:
        return [self._vector(text) for text in texts]
