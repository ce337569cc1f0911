import msgspec

from ragsell.application.conversations import replies
from ragsell.application.conversations.answering import (
    RELEVANCE_THRESHOLD,
    citations_of,
    closest_passages,
    relevant,
    sanitized_answer,
)
from ragsell.application.conversations.prompting import system_prompt
from ragsell.application.ports.ai import ChatModel, ChatRequest, ModelUnavailable, Retriever
from ragsell.application.ports.repositories import SiteRepository
from ragsell.application.ports.system import Clock
from ragsell.application.sites.get_site import owned_site
from ragsell.application.throttling import ANSWER_TRIES_PER_OWNER, Throttle
from ragsell.domain.conversations import Citation, check_message_text
from ragsell.domain.ids import OwnerId
from ragsell.domain.knowledge import Passage


class TryAnswerCommand(msgspec.Struct, frozen=True, kw_only=True):
    owner_id: OwnerId
    site_id: str
    question: str


class TriedAnswer(msgspec.Struct, frozen=True, kw_only=True):
    text: str
    # Whether the knowledge base held the answer (as for a visitor).
    answered: bool
    citations: tuple[Citation, ...]
    # The closest passages, best first; those scoring at least ``threshold`` were used.
    passages: tuple[Passage, ...]
    threshold: float


class TryAnswer:
    """The answer a visitor would get, with the passages behind it, for the owner.

    Nothing is stored and nothing is metered: no conversation, no message, no count
    against the plan's conversations or messages, no visitor rate limit. The owner's
    tries are bounded by their own rate limit instead (ANSWER_TRIES_PER_OWNER).
    """

    def __init__(
        self, sites: SiteRepository, throttle: Throttle, retriever: Retriever, model: ChatModel, clock: Clock
    ) -> None:
        self._sites = sites
        self._throttle = throttle
        self._retriever = retriever
        self._model = model
        self._clock = clock

    async def __call__(self, command: TryAnswerCommand) -> TriedAnswer:
        site = await owned_site(self._sites, command.owner_id, command.site_id)
        question = check_message_text(command.question)
        await self._throttle.check(ANSWER_TRIES_PER_OWNER, command.owner_id, self._clock.now())
        closest = await closest_passages(self._retriever, site, question)
        used = relevant(closest)

        def tried(text: str, *, answered: bool) -> TriedAnswer:
            citations = citations_of(used) if answered else ()
            return TriedAnswer(
                text=text,
                answered=answered,
                citations=citations,
                passages=tuple(closest),
                threshold=RELEVANCE_THRESHOLD,
            )

        if not used:
            return tried(replies.not_covered(site.branding.language), answered=False)
        request = ChatRequest(system=system_prompt(site), history=(), passages=tuple(used), question=question)
        try:
            pieces = [piece async for piece in sanitized_answer(self._model, request, site) if isinstance(piece, str)]
        except ModelUnavailable:
            return tried(replies.unavailable(site.branding.language), answered=False)
        return tried("".join(pieces).strip(), answered=True)
