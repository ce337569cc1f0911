"""What the visitor's widget receives while an answer is made, in order:
tokens, then citations, then done; or an error."""

import msgspec

from ragsell.domain.conversations import Citation
from ragsell.domain.ids import MessageId


class TokenEvent(msgspec.Struct, frozen=True, kw_only=True, tag="token"):
    text: str


class CitationsEvent(msgspec.Struct, frozen=True, kw_only=True, tag="citations"):
    citations: tuple[Citation, ...]


class DoneEvent(msgspec.Struct, frozen=True, kw_only=True, tag="done"):
    message_id: MessageId
    # False when the knowledge base did not hold the answer: the widget offers the lead form.
    answered: bool


class ErrorEvent(msgspec.Struct, frozen=True, kw_only=True, tag="error"):
    code: str
    message: str


AnswerEvent = TokenEvent | CitationsEvent | DoneEvent | ErrorEvent
