"""What a site's assistant knows: owner-written snippets and Q&A pairs (crawled
pages join them later), and the passages retrieval hands to the answering step."""

from datetime import datetime
from enum import StrEnum

import msgspec

from ragsell.domain.conversations import Citation
from ragsell.domain.errors import InvalidValue
from ragsell.domain.ids import SiteId, SnippetId

MAX_SNIPPET_TITLE_LENGTH = 200
MAX_SNIPPET_TEXT_LENGTH = 20_000
MAX_QUESTION_LENGTH = 500


class SnippetKind(StrEnum):
    TEXT = "text"
    QA = "qa"


class Snippet(msgspec.Struct, frozen=True, kw_only=True):
    id: SnippetId
    site_id: SiteId
    kind: SnippetKind
    title: str
    # Q&A pairs only: the question the text answers.
    question: str | None
    text: str
    created_at: datetime

    def __post_init__(self) -> None:
        if not 0 < len(self.title) <= MAX_SNIPPET_TITLE_LENGTH:
            raise InvalidValue(f"Give the snippet a title of up to {MAX_SNIPPET_TITLE_LENGTH} characters.", field="title")
        if not 0 < len(self.text) <= MAX_SNIPPET_TEXT_LENGTH:
            raise InvalidValue(f"Snippets hold 1 to {MAX_SNIPPET_TEXT_LENGTH} characters.", field="text")
        if (self.kind is SnippetKind.QA) != (self.question is not None):
            raise InvalidValue("A Q&A pair has a question; a text snippet has none.", field="question")
        if self.question is not None and not 0 < len(self.question) <= MAX_QUESTION_LENGTH:
            raise InvalidValue(f"Questions are 1 to {MAX_QUESTION_LENGTH} characters.", field="question")

    @property
    def searchable_text(self) -> str:
        return "\n".join(part for part in (self.title, self.question, self.text) if part)


class Passage(msgspec.Struct, frozen=True, kw_only=True):
    """A piece of the knowledge base retrieved for a question, with its relevance
    (0..1, higher is closer) and, when it came from a page, where to cite it."""

    text: str
    score: float
    citation: Citation | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise InvalidValue("Relevance scores lie between 0 and 1.")
