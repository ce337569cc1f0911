"""What may reach a visitor of an answer's text, checked as it streams.

Answers are shown as a small Markdown subset, never as HTML. Whatever a model writes,
and whatever a crawled page tricked it into writing, the visitor gets:
- no images (a Markdown image loads its URL: a way to carry the conversation away),
- no HTML tags or comments (their text stays, the markup goes),
- links only where the link rule allows them (the site's own pages); any other link
  keeps its words and loses its address;
- a bracket or angle bracket that opens nothing this reader understands is escaped
  (``\\[``, ``\\<``), so that no Markdown reader downstream can make a link or a tag of
  it either.

The text arrives in pieces, and a construct may be cut between two of them, so text
from the first character that may open one is held back until it is known what it is.
"""

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from ragsell.domain.crawling import site_hosts
from ragsell.domain.errors import DomainError
from ragsell.domain.urls import normalize_url

# Held back at most this long waiting for a construct to close; past it, it is plain text.
MAX_HOLD = 600

# A link's address may hold balanced parentheses, as CommonMark allows.
_ADDRESS = r"((?:[^()\s]|\([^()\s]{0,2048}\)){0,2048})"
_IMAGE = re.compile(r"!\[([^\]\n]{0,300})\]\(\s*" + _ADDRESS + r'(?:\s+"[^"\n]{0,300}")?\s*\)')
_LINK = re.compile(r"\[([^\]\n]{0,300})\]\(\s*" + _ADDRESS + r'(?:\s+"[^"\n]{0,300}")?\s*\)')
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]{0,1000}>", re.DOTALL)
_OPENERS = re.compile(r"!(?=\[|\Z)|\[|<")
# What a construct still open at the end of the held text can look like.
# An address cut short: balanced parentheses, then perhaps one left open.
_OPEN_ADDRESS = r"(?:[^()\s]|\([^()\s]*\))*(?:\([^()\s]*)?"
_OPEN_LINK_TAIL = r"(\](\(\s*" + _OPEN_ADDRESS + r'(\s+("[^"\n]*"?)?)?)?)?'
_OPEN_IMAGE = re.compile(r"!(\[([^\]\n]*" + _OPEN_LINK_TAIL + r")?)?\Z")
_OPEN_LINK = re.compile(r"\[([^\]\n]*" + _OPEN_LINK_TAIL + r")?\Z")
_OPEN_TAG = re.compile(r"<(!(-(-.*)?)?|/?([A-Za-z][^<>]*)?)\Z", re.DOTALL)

# Openers that turned out to open nothing are escaped, so that the text around a removed
# construct cannot close up into a new one ("<<b>b>" must not become "<b>").
_LITERAL = {"[": "\\[", "<": "\\<"}

LinkRule = Callable[[str], bool]


class AnswerSanitizer:
    def __init__(self, link_allowed: LinkRule) -> None:
        self._link_allowed = link_allowed
        self._held = ""

    def feed(self, piece: str) -> str:
        """The part of the text so far that is safe to show now."""
        self._held += piece
        shown, self._held = self._settle(self._held, final=False)
        return shown

    def finish(self) -> str:
        """The rest, once the model has stopped."""
        shown, self._held = self._settle(self._held, final=True)
        return shown

    def _settle(self, text: str, *, final: bool) -> tuple[str, str]:
        out: list[str] = []
        position = 0
        while (opener := _OPENERS.search(text, position)) is not None:
            start = opener.start()
            out.append(text[position:start])
            replaced, end = self._construct(text, start)
            if end is None:
                rest = text[start:]
                if not final and len(rest) <= MAX_HOLD and _still_open(rest):
                    return "".join(out), rest
                end = start + 1
                replaced = _LITERAL.get(text[start], text[start])
            out.append(replaced)
            position = end
        out.append(text[position:])
        return "".join(out), ""

    def _construct(self, text: str, start: int) -> tuple[str, int | None]:
        """What the construct at ``start`` becomes and where it ends (None: not complete)."""
        if (image := _IMAGE.match(text, start)) is not None:
            return "", image.end()
        if text.startswith("![", start):
            return "", None
        if (link := _LINK.match(text, start)) is not None:
            words = self._settle(link.group(1), final=True)[0]
            address = link.group(2)
            kept = f"[{words}]({address})" if self._link_allowed(address) else words
            return kept, link.end()
        if (tag := _TAG.match(text, start)) is not None:
            return "", tag.end()
        return "", None


def _still_open(rest: str) -> bool:
    return any(pattern.match(rest) for pattern in (_OPEN_IMAGE, _OPEN_LINK, _OPEN_TAG))


def sanitize_answer(text: str, link_allowed: LinkRule) -> str:
    sanitizer = AnswerSanitizer(link_allowed)
    return sanitizer.feed(text) + sanitizer.finish()


def site_link_rule(site_url: str, *, www_is_same_site: bool) -> LinkRule:
    """Links to the site's own pages: absolute http(s) on its hosts, or a path on it."""
    hosts = site_hosts(site_url, www_is_same_site=www_is_same_site)

    def allowed(address: str) -> bool:
        if address.startswith("/") and not address.startswith("//"):
            return True
        try:
            parts = urlsplit(normalize_url(address))
        except DomainError:
            return False
        return parts.netloc in hosts

    return allowed
