"""robots.txt rules for our crawler, read the way Google reads them."""

from ragsell.adapters.web.fetcher import GuardedFetcher
from ragsell.adapters.web.robots import RobotsRules, parse_robots, read_robots
from tests.web.conftest import LocalSite, raw

ROBOTS = """\
# comments are ignored
User-agent: *
Disallow: /private/
Allow: /private/press/
Crawl-delay: 2

User-agent: OtherBot
Disallow: /

Sitemap: https://example.com/sitemap-index.xml
"""


def test_obeys_the_group_for_every_crawler_when_none_names_us() -> None:
    rules = parse_robots(ROBOTS)
    assert rules.allows("https://example.com/pricing")
    assert not rules.allows("https://example.com/private/notes")
    assert rules.allows("https://example.com/private/press/launch")
    assert rules.crawl_delay == 2.0
    assert rules.sitemaps == ("https://example.com/sitemap-index.xml",)


def test_a_group_naming_us_replaces_the_general_one() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /\n\nUser-agent: Ragsell/1.0\nUser-agent: other\nDisallow: /admin\n")
    assert rules.allows("https://example.com/docs")
    assert not rules.allows("https://example.com/admin/users")


def test_the_longest_rule_wins_and_allow_wins_a_tie() -> None:
    rules = parse_robots("User-agent: *\nAllow: /a\nDisallow: /a\nDisallow: /b\nAllow: /b/c\n")
    assert rules.allows("https://example.com/a/page")
    assert not rules.allows("https://example.com/b/page")
    assert rules.allows("https://example.com/b/c/page")


def test_wildcards_and_end_anchors() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /*.pdf$\nDisallow: /*?session=\n")
    assert not rules.allows("https://example.com/files/a.pdf")
    assert rules.allows("https://example.com/files/a.pdf?download=1")
    assert not rules.allows("https://example.com/shop?session=42")
    assert rules.allows("https://example.com/shop?page=2")


def test_many_wildcards_cannot_make_matching_slow() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /" + "*a" * 200 + "*b\n")
    assert rules.allows("https://example.com/" + "a" * 2000)


def test_non_ascii_rules_match_percent_encoded_urls() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /café\n")
    assert not rules.allows("https://example.com/caf%C3%A9/menu")


def test_robots_txt_itself_and_an_empty_disallow_are_allowed() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /\n")
    assert rules.allows("https://example.com/robots.txt")
    assert parse_robots("User-agent: *\nDisallow:\n").allows("https://example.com/anything")


async def test_a_missing_robots_txt_allows_everything(site: LocalSite, fetcher: GuardedFetcher) -> None:
    assert await read_robots(fetcher, site.url("")) == RobotsRules()


async def test_a_robots_txt_served_as_html_allows_everything(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/robots.txt"] = raw(200, b"<html>Disallow: /</html>")
    assert await read_robots(fetcher, site.url("")) == RobotsRules()


async def test_a_server_error_disallows_the_whole_site(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/robots.txt"] = raw(503, b"busy", content_type="text/plain")
    rules = await read_robots(fetcher, site.url(""))
    assert not rules.allows(site.url("/"))
    assert rules.unreachable_reason == "robots.txt could not be read (server error (503))"


async def test_an_unreachable_robots_txt_disallows_the_whole_site(fetcher: GuardedFetcher) -> None:
    rules = await read_robots(fetcher, "http://nowhere.invalid")
    assert not rules.allows("http://nowhere.invalid/")
    assert "was not found" in rules.unreachable_reason


async def test_reads_the_rules_from_the_site(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/robots.txt"] = raw(200, ROBOTS.encode(), content_type="text/plain; charset=utf-8")
    rules = await read_robots(fetcher, site.url(""))
    assert not rules.allows(site.url("/private/x"))
    assert site.requests[0][1]["User-Agent"].startswith("ragsell/")
