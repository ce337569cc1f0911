"""Sitemaps and sitemap indexes, read without trusting the XML."""

from ragsell.adapters.web.sitemaps import Sitemap, parse_sitemap

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc> https://example.com/ </loc><lastmod>2024-01-01</lastmod></url>
  <url><loc>https://example.com/pricing</loc></url>
</urlset>"""


def test_reads_the_pages_of_a_sitemap() -> None:
    assert parse_sitemap(URLSET, max_locations=100) == Sitemap(
        pages=("https://example.com/", "https://example.com/pricing")
    )


def test_reads_the_sitemaps_of_an_index() -> None:
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://example.com/pages.xml</loc></sitemap></sitemapindex>"""
    assert parse_sitemap(index, max_locations=100) == Sitemap(sitemaps=("https://example.com/pages.xml",))


def test_stops_at_the_bound() -> None:
    assert len(parse_sitemap(URLSET, max_locations=1).pages) == 1


def test_refuses_entity_expansion() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<urlset><url><loc>&lol2;</loc></url></urlset>"""
    assert parse_sitemap(bomb, max_locations=100) == Sitemap()


def test_refuses_external_entities() -> None:
    xxe = b"""<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset><url><loc>&x;</loc></url></urlset>"""
    assert parse_sitemap(xxe, max_locations=100) == Sitemap()


def test_keeps_what_came_before_broken_xml() -> None:
    broken = b"<urlset><url><loc>https://example.com/a</loc></url><url><loc>https://exa"
    assert parse_sitemap(broken, max_locations=100) == Sitemap(pages=("https://example.com/a",))
