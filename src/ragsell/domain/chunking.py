"""Cutting a page into passages sized for embedding, along its headings.

A page arrives as sections: the text under each heading, with the path of headings
above it. Each chunk stays inside one section (so it can be cited with its
heading), is at most ``max_words`` long, and overlaps the previous chunk of the
same section by ``overlap_words`` so that a sentence cut at a boundary is whole in
one of them. Tiny sections under the same parent heading are merged, since a
heading with two words under it makes a poor passage on its own.
"""

import re

import msgspec

from ragsell.domain.errors import InvalidValue

# all-MiniLM-L6-v2 was trained on 256 word pieces; English runs ~1.3 pieces a word.
DEFAULT_MAX_WORDS = 180
DEFAULT_OVERLAP_WORDS = 30
MIN_SECTION_WORDS = 25
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class Section(msgspec.Struct, frozen=True, kw_only=True):
    heading_path: tuple[str, ...]
    text: str


class ChunkDraft(msgspec.Struct, frozen=True, kw_only=True):
    heading_path: tuple[str, ...]
    text: str


def _words(text: str) -> list[str]:
    return text.split()


def _merge_small(sections: list[Section], min_words: int, max_words: int) -> list[Section]:
    merged: list[Section] = []
    for section in sections:
        if not section.text.strip():
            continue
        previous = merged[-1] if merged else None
        small = len(_words(section.text)) < min_words or (
            previous is not None and len(_words(previous.text)) < min_words
        )
        same_parent = previous is not None and previous.heading_path[:-1] == section.heading_path[:-1]
        fits = previous is not None and len(_words(previous.text)) + len(_words(section.text)) <= max_words
        if previous is not None and small and same_parent and fits:
            heading = section.heading_path[-1] if section.heading_path else ""
            joined = f"{previous.text}\n{heading}\n{section.text}" if heading else f"{previous.text}\n{section.text}"
            merged[-1] = Section(heading_path=previous.heading_path, text=joined)
        else:
            merged.append(section)
    return merged


def _split(text: str, max_words: int, overlap_words: int) -> list[str]:
    """Pieces of at most ``max_words``, cut at sentence ends where one is near."""
    words = _words(text)
    if len(words) <= max_words:
        return [" ".join(words)]
    # A sentence longer than fits beside the overlap (a run-on "sentence") is cut flat.
    step = max_words - overlap_words
    parts = [
        sentence[start : start + step]
        for sentence in (_words(sentence) for sentence in _SENTENCE_END.split(" ".join(words)))
        for start in range(0, len(sentence), step)
    ]
    pieces: list[list[str]] = []
    current: list[str] = []
    for part in parts:
        # Each piece holds at most the overlap plus one part, or parts that fit together.
        if len(current) + len(part) > max_words and len(current) > overlap_words:
            pieces.append(current)
            current = current[-overlap_words:] if overlap_words else []
        current = current + part
    if current and (not pieces or len(current) > overlap_words):
        pieces.append(current)
    return [" ".join(piece) for piece in pieces]


def chunk_sections(
    sections: list[Section],
    *,
    max_words: int = DEFAULT_MAX_WORDS,
    overlap_words: int = DEFAULT_OVERLAP_WORDS,
    min_section_words: int = MIN_SECTION_WORDS,
) -> list[ChunkDraft]:
    if not 0 <= overlap_words < max_words // 2:
        raise InvalidValue("The overlap must be under half a chunk.")
    return [
        ChunkDraft(heading_path=section.heading_path, text=piece)
        for section in _merge_small(sections, min_section_words, max_words)
        for piece in _split(section.text, max_words, overlap_words)
    ]


def text_for_embedding(title: str, heading_path: tuple[str, ...], text: str) -> str:
    """What the embedder sees: where the passage sits, then the passage. Headings carry
    much of a passage's meaning ("Pricing > Refunds")."""
    context = " > ".join(part for part in (title, *heading_path) if part)
    return f"{context}\n{text}" if context else text
