"""sitemap.xml and sitemap indexes (sitemaps.org), read without trusting the XML:
no DTDs, no entities, no network, and no more locations than asked for."""

import io
from xml.etree.ElementTree import ParseError

import msgspec
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse


class Sitemap(msgspec.Struct, frozen=True, kw_only=True):
    # Page URLs (a urlset) and further sitemaps (a sitemap index), as written.
    pages: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_sitemap(body: bytes, *, max_locations: int) -> Sitemap:
    """The locations of a sitemap or sitemap index, up to ``max_locations``; reading stops
    at the first error, keeping what came before it."""
    found: dict[str, list[str]] = {"url": [], "sitemap": []}
    entry = ""
    count = 0
    try:
        for event, element in iterparse(io.BytesIO(body), events=("start", "end"), forbid_dtd=True):
            name = _local_name(element.tag)
            if event == "start":
                entry = name if name in found else entry
            elif name == "loc" and entry and element.text and element.text.strip():
                found[entry].append(element.text.strip())
                count += 1
                if count >= max_locations:
                    break
            elif name in found:
                element.clear()
                entry = ""
    except (ParseError, DefusedXmlException):
        pass
    return Sitemap(pages=tuple(found["url"]), sitemaps=tuple(found["sitemap"]))
