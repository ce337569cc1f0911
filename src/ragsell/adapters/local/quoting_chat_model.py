"""The answerer of last resort: it quotes the best passage, word by word, as a
stream. Deterministic and offline, it lets the whole answer path run with no model."""

import re
from collections.abc import AsyncIterator

from ragsell.application.ports.ai import ChatModel, ChatRequest

MAX_QUOTE_CHARACTERS = 700
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def quote(text: str, limit: int = MAX_QUOTE_CHARACTERS) -> str:
    """Whole sentences of ``text`` up to ``limit`` characters (at least the first sentence, cut if longer)."""
    kept: list[str] = []
    length = 0
    for sentence in _SENTENCE_END.split(" ".join(text.split())):
        if kept and length + len(sentence) + 1 > limit:
            break
        kept.append(sentence)
        length += len(sentence) + 1
    return " ".join(kept)[:limit]


class QuotingChatModel(ChatModel):
    async def stream(self, request: ChatRequest) -> AsyncIterator[str]:
        if not request.passages:
            return
        words = quote(request.passages[0].text).split(" ")
        for index, word in enumerate(words):
            yield word if index == 0 else f" {word}"
