"""What a page's markup says beside its text: where it links, which URL it calls
canonical, and what it asks of robots."""

from urllib.parse import urljoin

from lxml.html import HtmlElement

from ragsell.domain.errors import InvalidUrl
from ragsell.domain.urls import normalize_url

# Links read from one page at most (the crawler keeps fewer, same-site ones).
MAX_LINKS = 2000
# X-Robots-Tag directives written "name: value", not to be read as "crawler: directive".
_VALUED_DIRECTIVES = frozenset({"unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"})


def _absolute(base: str, href: str) -> str | None:
    """``href`` resolved against ``base`` and normalized without its fragment; None for
    anything but an http(s) URL (mailto:, javascript:, tel:, data: ...)."""
    try:
        return normalize_url(urljoin(base, href.strip()).split("#", 1)[0], keep_query=True)
    except (InvalidUrl, ValueError):
        return None


def base_url(tree: HtmlElement, url: str) -> str:
    for href in tree.xpath("//head/base/@href")[:1]:
        return _absolute(url, href) or url
    return url


def page_links(tree: HtmlElement, base: str) -> tuple[str, ...]:
    """Followable links in page order, without repeats. rel=nofollow links are skipped:
    on a site's own pages they mark actions (log in, add to cart), not content."""
    found: dict[str, None] = {}
    for anchor in tree.xpath("//a[@href]"):
        if "nofollow" in anchor.get("rel", "").lower().split():
            continue
        link = _absolute(base, anchor.get("href"))
        if link is not None:
            found[link] = None
            if len(found) >= MAX_LINKS:
                break
    return tuple(found)


def canonical_link(tree: HtmlElement, base: str) -> str | None:
    for link in tree.xpath("//link[@rel and @href]"):
        if "canonical" in link.get("rel", "").lower().split():
            return _absolute(base, link.get("href"))
    return None


def robots_directives(tree: HtmlElement, header: str, *, agent: str) -> frozenset[str]:
    """noindex / nofollow (``none`` is both) from <meta name="robots"> or <meta name=agent>
    and the X-Robots-Tag header, whose ``otherbot: noindex`` parts are for other crawlers."""
    tokens: set[str] = set()
    for meta in tree.xpath("//meta[@name and @content]"):
        if meta.get("name", "").strip().lower() in ("robots", agent):
            tokens.update(token.strip().lower() for token in meta.get("content", "").split(","))
    crawler = ""  # the header's directives are for every crawler until one is named
    for part in header.split(","):
        name, separator, rest = part.partition(":")
        if separator and name.strip().lower() not in _VALUED_DIRECTIVES:
            crawler, part = name.strip().lower(), rest
        if crawler in ("", agent):
            tokens.add(part.strip().lower())
    if "none" in tokens:
        tokens.update({"noindex", "nofollow"})
    return frozenset(tokens & {"noindex", "nofollow"})
