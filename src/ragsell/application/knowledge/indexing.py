"""Turning a page's or snippet's text into embedded chunks: shared by crawling and snippets."""

from collections.abc import Sequence

import msgspec

from ragsell.application.ports.ai import Embedder
from ragsell.application.ports.repositories import ChunkRepository
from ragsell.application.ports.system import IdGenerator
from ragsell.domain.chunking import Section, chunk_sections, text_for_embedding
from ragsell.domain.ids import ChunkId, SiteId
from ragsell.domain.knowledge import Chunk, ChunkSource, Snippet, SnippetKind
from ragsell.domain.sentences import split_sentences


def snippet_sections(snippet: Snippet) -> tuple[Section, ...]:
    """A Q&A pair is its answer under the question as heading; a text is one section."""
    heading = (snippet.question,) if snippet.kind is SnippetKind.QA and snippet.question else ()
    return (Section(heading_path=heading, text=snippet.text),)


class IndexingOptions(msgspec.Struct, frozen=True, kw_only=True):
    # Embed each sentence too, for answers composed of the best sentences.
    sentence_vectors: bool = True


class ChunkIndexer:
    def __init__(self, chunks: ChunkRepository, embedder: Embedder, ids: IdGenerator, options: IndexingOptions) -> None:
        self._chunks = chunks
        self._embedder = embedder
        self._ids = ids
        self._options = options

    @property
    def model(self) -> str:
        return self._embedder.model

    async def index(
        self, site_id: SiteId, source: ChunkSource, source_key: str, title: str, sections: Sequence[Section]
    ) -> int:
        """Replace the source's chunks with freshly embedded ones; returns how many."""
        drafts = chunk_sections(list(sections))
        texts = [text_for_embedding(title, draft.heading_path, draft.text) for draft in drafts]
        sentences = [split_sentences(draft.text) if self._options.sentence_vectors else [] for draft in drafts]
        # One call for passages and sentences: the embedder batches them best together.
        embedded = await self._embedder.embed([*texts, *(s for each in sentences for s in each)]) if drafts else []
        vectors, rest = embedded[: len(drafts)], iter(embedded[len(drafts) :])
        chunks = [
            Chunk(
                id=ChunkId(self._ids.new_id()),
                site_id=site_id,
                source=source,
                source_key=source_key,
                title=title,
                heading_path=draft.heading_path,
                text=draft.text,
                position=position,
                embedding_model=self._embedder.model,
                vector=vector,
                sentence_vectors=b"".join(next(rest) for _ in sentences[position]),
            )
            for position, (draft, vector) in enumerate(zip(drafts, vectors, strict=True))
        ]
        await self._chunks.replace_source(site_id, source, source_key, chunks)
        return len(chunks)

    async def remove(self, site_id: SiteId, source: ChunkSource, source_key: str) -> None:
        await self._chunks.replace_source(site_id, source, source_key, [])
