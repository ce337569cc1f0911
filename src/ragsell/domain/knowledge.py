"""What a site's assistant knows: crawled pages and owner-written snippets and Q&A
pairs, cut into embedded chunks, and the passages retrieval hands to the answering step."""

import hashlib
from datetime import datetime
from enum import StrEnum

import msgspec

from ragsell.domain.chunking import Section
from ragsell.domain.conversations import Citation
from ragsell.domain.crawling import PageOutcome
from ragsell.domain.errors import InvalidValue
from ragsell.domain.ids import ChunkId, SiteId, SnippetId
from ragsell.domain.sentences import split_sentences

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
            raise InvalidValue(
                f"Give the snippet a title of up to {MAX_SNIPPET_TITLE_LENGTH} characters.", field="title"
            )
        if not 0 < len(self.text) <= MAX_SNIPPET_TEXT_LENGTH:
            raise InvalidValue(f"Snippets hold 1 to {MAX_SNIPPET_TEXT_LENGTH} characters.", field="text")
        if (self.kind is SnippetKind.QA) != (self.question is not None):
            raise InvalidValue("A Q&A pair has a question; a text snippet has none.", field="question")
        if self.question is not None and not 0 < len(self.question) <= MAX_QUESTION_LENGTH:
            raise InvalidValue(f"Questions are 1 to {MAX_QUESTION_LENGTH} characters.", field="question")

    @property
    def searchable_text(self) -> str:
        return "\n".join(part for part in (self.title, self.question, self.text) if part)


MAX_REASON_LENGTH = 300


class Page(msgspec.Struct, frozen=True, kw_only=True):
    """What the last crawl found at one URL of a site."""

    site_id: SiteId
    url: str
    outcome: PageOutcome
    # Why a page was not indexed, in words the owner can act on.
    reason: str
    title: str
    checked_at: datetime
    content_hash: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    chunk_count: int = 0
    # The model that embedded its chunks: another model means the page is embedded again.
    embedding_model: str | None = None

    def __post_init__(self) -> None:
        if len(self.reason) > MAX_REASON_LENGTH:
            raise InvalidValue("Keep the reason short.")
        if self.chunk_count and not self.outcome.keeps_content:
            raise InvalidValue("Only indexed pages have chunks.")


def content_hash(title: str, sections: tuple[Section, ...]) -> str:
    """Identifies a page's extracted content: equal hashes, nothing to embed again."""
    digest = hashlib.sha256(title.encode())
    for section in sections:
        digest.update(b"\x00" + "\x1f".join(section.heading_path).encode() + b"\x00" + section.text.encode())
    return digest.hexdigest()


class ChunkSource(StrEnum):
    PAGE = "page"
    SNIPPET = "snippet"


class Chunk(msgspec.Struct, frozen=True, kw_only=True):
    """A passage of a page or snippet with its embedding."""

    id: ChunkId
    site_id: SiteId
    source: ChunkSource
    # The page URL, or the snippet id.
    source_key: str
    title: str
    heading_path: tuple[str, ...]
    text: str
    position: int
    embedding_model: str
    # float32, little-endian: 4 bytes a dimension.
    vector: bytes
    # One vector per sentence of ``text`` (as split_sentences cuts it), row after row;
    # empty when they were not made at indexing time.
    sentence_vectors: bytes = b""

    def __post_init__(self) -> None:
        if not self.vector or len(self.vector) % 4:
            raise InvalidValue("A chunk's vector is float32 data.")
        if self.sentence_vectors and len(self.sentence_vectors) != len(split_sentences(self.text)) * len(self.vector):
            raise InvalidValue("A chunk has one sentence vector per sentence.")

    @property
    def dimensions(self) -> int:
        return len(self.vector) // 4

    @property
    def citation(self) -> Citation | None:
        if self.source is not ChunkSource.PAGE:
            return None
        return Citation(url=self.source_key, title=self.title, heading=" > ".join(self.heading_path))


class Passage(msgspec.Struct, frozen=True, kw_only=True):
    """A piece of the knowledge base retrieved for a question, with its relevance
    (0..1, higher is closer) and, when it came from a page, where to cite it."""

    text: str
    score: float
    citation: Citation | None = None
    # As on the chunk it came from: one vector per sentence, or empty.
    sentence_vectors: bytes = b""

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise InvalidValue("Relevance scores lie between 0 and 1.")
