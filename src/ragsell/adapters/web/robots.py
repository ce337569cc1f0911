"""robots.txt as RFC 9309 and Google read it: the group for our product token (else
``*``), the longest matching rule wins and Allow wins a tie, ``*`` and ``$`` in
patterns; Crawl-delay (not in the RFC) and Sitemap lines are read too.

A robots.txt answered 4xx means no rules; a 5xx answer or no answer at all means the
whole site is off limits for this crawl, as Google treats it.
"""

import contextlib
import re
from urllib.parse import quote, urlsplit

import msgspec

from ragsell.adapters.web.fetcher import AGENT_NAME, FetchError, FetchKind, GuardedFetcher
from ragsell.domain.crawling import PageOutcome

MAX_SITEMAPS = 50
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_PATTERN_SAFE = "/*$?=&;:@!,'()+%~-._"


class RobotsRules(msgspec.Struct, frozen=True, kw_only=True):
    # (allow, pattern), in file order.
    rules: tuple[tuple[bool, str], ...] = ()
    crawl_delay: float | None = None
    sitemaps: tuple[str, ...] = ()
    # Set when robots.txt could not be read and nothing may be crawled.
    unreachable_reason: str = ""

    def allows(self, url: str) -> bool:
        if self.unreachable_reason:
            return False
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if target == "/robots.txt":
            return True
        best_length, allowed = -1, True
        for allow, pattern in self.rules:
            longer = len(pattern) > best_length or (len(pattern) == best_length and allow)
            if longer and _matches(pattern, target):
                best_length, allowed = len(pattern), allow
        return allowed


def _matches(pattern: str, target: str) -> bool:
    """Google's matcher: the set of positions in ``target`` reachable so far; linear in
    each, so a pattern of many ``*`` cannot make it backtrack."""
    positions = [0]
    for index, character in enumerate(pattern):
        if character == "$" and index == len(pattern) - 1:
            return positions[-1] == len(target)
        if character == "*":
            positions = list(range(positions[0], len(target) + 1))
            continue
        positions = [p + 1 for p in positions if p < len(target) and target[p] == character]
        if not positions:
            return False
    return True


def _normalize_pattern(pattern: str) -> str:
    """Percent-encoded the way normalized URLs are: UTF-8, upper-case hex."""
    encoded = quote(pattern, safe=_PATTERN_SAFE)
    return _ESCAPE.sub(lambda escape: escape.group().upper(), encoded)


def parse_robots(text: str, *, agent: str = AGENT_NAME) -> RobotsRules:
    groups: list[tuple[list[str], list[tuple[bool, str]], list[float]]] = []
    sitemaps: list[str] = []
    in_agent_lines = False
    for raw_line in text.splitlines():
        key, separator, value = raw_line.split("#", 1)[0].partition(":")
        if not separator:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "sitemap":
            if value and len(sitemaps) < MAX_SITEMAPS:
                sitemaps.append(value)
        elif key == "user-agent":
            if not in_agent_lines:
                groups.append(([], [], []))
            groups[-1][0].append(value.split("/", 1)[0].strip().lower())
            in_agent_lines = True
        elif groups:
            in_agent_lines = False
            if key in ("allow", "disallow") and value:
                groups[-1][1].append((key == "allow", _normalize_pattern(value)))
            elif key == "crawl-delay":
                with contextlib.suppress(ValueError):
                    groups[-1][2].append(max(0.0, float(value)))
    chosen = [group for group in groups if agent in group[0]] or [group for group in groups if "*" in group[0]]
    delays = [delay for group in chosen for delay in group[2]]
    return RobotsRules(
        rules=tuple(rule for group in chosen for rule in group[1]),
        crawl_delay=delays[0] if delays else None,
        sitemaps=tuple(sitemaps),
    )


async def read_robots(fetcher: GuardedFetcher, origin: str) -> RobotsRules:
    """The rules of ``origin`` (scheme://host[:port]) for our crawler."""
    try:
        fetched = await fetcher.fetch(f"{origin}/robots.txt", FetchKind.ROBOTS)
    except FetchError as error:
        if error.outcome is PageOutcome.WRONG_TYPE:
            return RobotsRules()  # an HTML page served where robots.txt should be: no rules
        if error.status is not None and 400 <= error.status < 500 and error.status != 429:
            return RobotsRules()
        return RobotsRules(unreachable_reason=f"robots.txt could not be read ({error.reason})")
    text = fetched.body.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return parse_robots(text)
