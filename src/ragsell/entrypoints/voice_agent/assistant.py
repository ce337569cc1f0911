"""The assistant in a live call: what the visitor says is answered from the site's
knowledge base by ragsell, not by a language-model plugin."""

from collections.abc import AsyncIterator
from typing import Any

from livekit.agents import Agent, ModelSettings, llm

from ragsell.application.conversations.replies import greeting
from ragsell.application.voice.voice_call import VoiceCall


def last_utterance(chat_ctx: llm.ChatContext) -> str:
    """What the visitor said last, as heard."""
    said = [message for message in chat_ctx.messages() if message.role == "user"]
    return (said[-1].text_content or "") if said else ""


class KnowledgeAgent(Agent):
    """Greets the visitor, then answers each turn with ``VoiceCall.reply``, which stores
    the utterance and the answer as voice messages of the conversation."""

    def __init__(self, call: VoiceCall) -> None:
        super().__init__(instructions="Answer from the site's knowledge base.")
        self._call = call

    async def on_enter(self) -> None:
        self.session.say(greeting(self._call.brief.language))

    async def llm_node(
        self, chat_ctx: llm.ChatContext, tools: list[llm.Tool], model_settings: ModelSettings
    ) -> AsyncIterator[str]:
        async for piece in self._call.reply(last_utterance(chat_ctx)):
            yield piece


class KnowledgeBaseSlot(llm.LLM):
    """Holds the session's language-model place: LiveKit asks for a reply only when a
    session has one. KnowledgeAgent.llm_node writes every reply, so chat is never called."""

    @property
    def model(self) -> str:
        return "knowledge-base"

    @property
    def provider(self) -> str:
        return "ragsell"

    def chat(self, **options: Any) -> llm.LLMStream:
        raise NotImplementedError("ragsell's replies come from KnowledgeAgent.llm_node")
