"""The Python documentation as a website to retrieve from, and questions to ask it.

Debian's ``python3-doc`` installs the documentation as HTML under
/usr/share/doc/python3/html (``apt-get install -y python3-doc``). Each page becomes
heading-aware sections (Sphinx nests a ``<section id=...>`` per heading), cut into chunks
by ``ragsell.domain.chunking``. The FAQ pages (faq/*.html) give the questions: every
section heading that ends with "?" is a question, answered by that section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import html

from ragsell.domain.chunking import ChunkDraft, Section, chunk_sections

DOCS = Path("/usr/share/doc/python3/html")
BASE_URL = "https://docs.python.org/3/"
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class PageChunk:
    url: str
    title: str
    draft: ChunkDraft


@dataclass(frozen=True)
class Question:
    text: str
    url: str
    heading_path: tuple[str, ...]


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text.replace("¶", "")).strip()


def _own_text(section: html.HtmlElement) -> str:
    """The section's text without its heading and without its subsections."""
    parts = [
        child.text_content()
        for child in section
        if child.tag not in _HEADINGS and not (child.tag == "section" or child.get("class") == "section")
    ]
    return _clean("\n".join(parts))


def _sections(element: html.HtmlElement, path: tuple[str, ...], out: list[Section]) -> None:
    for child in element:
        is_section = child.tag == "section" or (child.tag == "div" and "section" in (child.get("class") or "").split())
        if not is_section:
            if child.tag == "div":  # sections can sit inside wrappers
                _sections(child, path, out)
            continue
        heading = next((node for node in child if node.tag in _HEADINGS), None)
        child_path = (*path, _clean(heading.text_content())) if heading is not None else path
        out.append(Section(heading_path=child_path, text=_own_text(child)))
        _sections(child, child_path, out)


def page_sections(path: Path) -> tuple[str, list[Section]]:
    """The page's title (its first heading) and its sections below that heading."""
    tree = html.fromstring(path.read_bytes())
    body = tree.find_class("body")
    if not body:
        return "", []
    sections: list[Section] = []
    _sections(body[0], (), sections)
    if not sections:
        return "", []
    title = sections[0].heading_path[0] if sections[0].heading_path else ""
    return title, [Section(heading_path=section.heading_path[1:], text=section.text) for section in sections]


def load_chunks(root: Path = DOCS) -> list[PageChunk]:
    chunks: list[PageChunk] = []
    for path in sorted(root.rglob("*.html")):
        relative = path.relative_to(root).as_posix()
        # Indexes and the table of contents are lists of links, not content.
        if relative.startswith(("_", "genindex", "py-modindex", "search", "contents")):
            continue
        title, sections = page_sections(path)
        url = BASE_URL + relative
        chunks.extend(PageChunk(url=url, title=title, draft=draft) for draft in chunk_sections(sections))
    return chunks


def faq_questions(root: Path = DOCS) -> list[Question]:
    questions: list[Question] = []
    for path in sorted((root / "faq").glob("*.html")):
        _, sections = page_sections(path)
        url = BASE_URL + path.relative_to(root).as_posix()
        questions.extend(
            Question(text=section.heading_path[-1], url=url, heading_path=section.heading_path)
            for section in sections
            if section.heading_path and section.heading_path[-1].endswith("?")
        )
    return questions


def answers(question: Question, chunk: PageChunk) -> bool:
    """Whether the chunk holds the question's section: its own, or a small section that
    the chunker merged into the one before (the question's heading is then in the text)."""
    if chunk.url != question.url:
        return False
    return chunk.draft.heading_path == question.heading_path or (
        chunk.draft.heading_path == question.heading_path[:-1] + chunk.draft.heading_path[-1:]
        and question.text in chunk.draft.text
    )
