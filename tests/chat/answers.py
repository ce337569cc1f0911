"""Reading a chat model's streamed answer the way the adapter tests need it."""

from ragsell.application.ports.ai import ChatModel, ChatRequest
from ragsell.domain.conversations import ModelUsage


async def collect(model: ChatModel, request: ChatRequest) -> tuple[str, ModelUsage | None]:
    """The answer's text pieces joined, and the usage reported after them (None if none came)."""
    text, usage = "", None
    async for piece in model.stream(request):
        if isinstance(piece, ModelUsage):
            usage = piece
        else:
            text += piece
    return text, usage
