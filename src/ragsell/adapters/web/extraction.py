"""An HTML page to its title and main text, cut into sections under their headings.

trafilatura finds the main text and drops navigation, footers and other boilerplate;
its XML output with formatting keeps headings as ``<head rend="h2">``. Its filter
also drops any block whose id carries a word such as "share", "related" or "nav";
documentation generators derive section ids from heading text, so such ids are
removed first (see FINDINGS: "How do I share global variables?" vanished otherwise).
CPU-bound: call it off the event loop.
"""

import codecs
import re

import msgspec
import trafilatura
from lxml import etree
from lxml.html import HtmlElement, document_fromstring

from ragsell.adapters.web.markup import base_url, canonical_link, page_links, robots_directives
from ragsell.domain.chunking import Section

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_TRAILING_NUMBER = re.compile(r"[-_]?\d+$")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
# Anchor marks that documentation generators append to headings.
_HEADING_MARKS = " \t\n¶#§"
_SPACES = re.compile(r"\s+")


class HtmlDocument(msgspec.Struct, frozen=True, kw_only=True):
    title: str
    sections: tuple[Section, ...]
    language: str | None = None
    # Normalized, when it names another URL than the page's own.
    canonical_url: str | None = None
    links: tuple[str, ...] = ()
    noindex: bool = False
    nofollow: bool = False


def _charset(body: bytes, declared: str | None) -> str:
    """The declared charset, else one named in a <meta> near the top, else UTF-8."""
    found = _META_CHARSET.search(body[:4096])
    for name in (declared, found.group(1).decode("ascii") if found else None):
        if name:
            try:
                return codecs.lookup(name).name
            except LookupError:
                continue
    return "utf-8"


def _parse(body: bytes, charset: str | None) -> HtmlElement | None:
    text = _XML_DECLARATION.sub("", body.decode(_charset(body, charset), errors="replace"))
    if not text.strip():
        return None
    try:
        return document_fromstring(text)
    except etree.ParserError:
        return None


def _slug(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower())


def _neutralise_heading_ids(tree: HtmlElement) -> None:
    """Drops ids made from the element's own heading (``<section id="how-do-i-share">
    <h2>How do I share...</h2>``): they name content, not page furniture."""
    for element in tree.xpath("//*[@id]"):
        first = element.xpath("*[1]")
        if first and first[0].tag in _HEADINGS:
            ident = _slug(_TRAILING_NUMBER.sub("", element.get("id", "")))
            if ident and _slug(first[0].text_content()).startswith(ident):
                del element.attrib["id"]


def _text(element: etree._Element) -> str:
    return _SPACES.sub(" ", "".join(element.itertext())).strip()


def _block_text(element: etree._Element) -> str:
    if element.tag == "list":
        return "\n".join(_text(item) for item in element.iter("item") if _text(item))
    if element.tag == "table":
        rows = (" | ".join(_text(cell) for cell in row.iter("cell")) for row in element.iter("row"))
        return "\n".join(row for row in rows if row.strip(" |"))
    return _text(element)


def _sections(main: etree._Element, title: str) -> tuple[Section, ...]:
    """Walks the main text: each heading opens a section under the headings above it
    (a heading that only repeats the page title is left out of the path)."""
    sections: list[Section] = []
    headings: list[tuple[int, str]] = []
    lines: list[str] = []

    def close() -> None:
        if lines:
            path = tuple(text for _, text in headings if text.casefold() != title.casefold())
            sections.append(Section(heading_path=path, text="\n".join(lines)))
            lines.clear()

    for element in main:
        rend = element.get("rend", "")
        if element.tag == "head":
            close()
            level = int(rend[1]) if re.fullmatch(r"h[1-6]", rend) else 6
            while headings and headings[-1][0] >= level:
                headings.pop()
            heading = _text(element).rstrip(_HEADING_MARKS)
            if heading:
                headings.append((level, heading))
        elif text := _block_text(element):
            lines.append(text)
    close()
    return tuple(sections)


def _main_text(tree: HtmlElement, url: str) -> tuple[str, tuple[Section, ...]]:
    xml = trafilatura.extract(
        tree,
        url=url,
        output_format="xml",
        include_formatting=True,
        include_tables=True,
        include_comments=False,
        include_links=False,
        include_images=False,
        with_metadata=True,
    )
    if not xml:
        return "", ()
    document = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    title = _SPACES.sub(" ", document.get("title", "")).strip().rstrip(_HEADING_MARKS)
    main = document.find("main")
    return title, _sections(main, title) if main is not None else ()


def read_html(body: bytes, *, url: str, charset: str | None, robots_tag: str, agent: str) -> HtmlDocument:
    """``url`` is the page's normalized address; ``charset`` and ``robots_tag`` come from
    its response headers; ``agent`` is our robots product token."""
    tree = _parse(body, charset)
    if tree is None:
        return HtmlDocument(title="", sections=())
    base = base_url(tree, url)
    directives = robots_directives(tree, robots_tag, agent=agent)
    canonical = canonical_link(tree, base)
    links = () if "nofollow" in directives else page_links(tree, base)
    language = (tree.get("lang") or "").strip().lower()[:35] or None
    _neutralise_heading_ids(tree)
    title, sections = _main_text(tree, url)
    if not title:
        title = _SPACES.sub(" ", "".join(tree.xpath("//head/title//text()"))).strip()
    return HtmlDocument(
        title=title,
        sections=sections,
        language=language,
        canonical_url=canonical if canonical != url else None,
        links=links,
        noindex="noindex" in directives,
        nofollow="nofollow" in directives,
    )
