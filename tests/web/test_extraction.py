"""HTML to title and heading-aware sections, links and robots directives."""

from pathlib import Path

from ragsell.adapters.web.extraction import HtmlDocument, read_html
from ragsell.domain.chunking import Section

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str, url: str, *, charset: str | None = None, robots_tag: str = "") -> HtmlDocument:
    return read_html((FIXTURES / name).read_bytes(), url=url, charset=charset, robots_tag=robots_tag, agent="ragsell")


def faq() -> HtmlDocument:
    return read("faq_sphinx.html", "https://docs.acme.test/faq/programming.html")


def test_keeps_the_title_and_the_heading_path_of_every_section() -> None:
    document = faq()
    assert document.title == "Programming FAQ"
    assert [section.heading_path for section in document.sections] == [
        (),
        ("General Questions", "How do I share global variables across modules?"),
        ("General Questions", "Related tools"),
        ("Performance",),
    ]


def test_a_section_whose_id_holds_a_boilerplate_word_survives() -> None:
    """Sphinx gives the section the id how-do-i-share-...; trafilatura drops blocks whose
    id contains "share" (or "related"), unless the id is taken off first."""
    texts = [section.text for section in faq().sections]
    assert any(text.startswith("The canonical way to share information") for text in texts)
    assert any(text.startswith("The toolkit ships with a debugger") for text in texts)


def test_drops_navigation_sidebars_and_footers() -> None:
    text = " ".join(section.text for section in faq().sections)
    for boilerplate in ("Library FAQ", "Table of Contents", "Copyright", "Navigation"):
        assert boilerplate not in text


def test_keeps_lists_and_tables_as_lines() -> None:
    shop = read("shop.html", "https://shop.acme.test/catalogue/anvils")
    assert Section(heading_path=("Prices",), text="Model | Price\nClassic | €99\nCafé edition | €149") in shop.sections
    last = faq().sections[-1].text
    assert last.endswith("Use local variables in hot loops.\nPrefer built-in functions over hand-written loops.")


def test_decodes_the_charset_the_page_declares() -> None:
    shop = read("shop.html", "https://shop.acme.test/catalogue/anvils")
    assert "Café edition | €149" in shop.sections[1].text
    assert shop.language == "en-gb"


def test_the_header_charset_wins_over_the_page() -> None:
    body = "<html><head><meta charset='windows-1252'></head><body><h1>Ünïcode</h1></body></html>".encode()
    assert "Ünïcode" in read_html(body, url="https://a.test/", charset="utf-8", robots_tag="", agent="ragsell").title


def test_drops_share_buttons() -> None:
    shop = read("shop.html", "https://shop.acme.test/catalogue/anvils")
    assert "Share" not in " ".join(section.text for section in shop.sections)


def test_collects_followable_links_against_the_base_href() -> None:
    shop = read("shop.html", "https://shop.acme.test/catalogue/anvils")
    assert shop.links == (
        "https://shop.acme.test/",
        "https://shop.acme.test/catalogue/anvils",
        "https://twitter.com/acme",
        "https://shop.acme.test/catalogue/rockets?colour=red",
        "https://facebook.com/sharer",
    )  # no rel=nofollow, mailto:, javascript: or tel: links; no fragments


def test_reads_the_canonical_url_when_it_names_another_page() -> None:
    assert faq().canonical_url is None  # it names the page itself
    moved = read("faq_sphinx.html", "https://docs.acme.test/faq/programming.html?highlight=share")
    assert moved.canonical_url == "https://docs.acme.test/faq/programming.html"


def page_with(head: str, robots_tag: str = "") -> HtmlDocument:
    body = f"<html><head>{head}</head><body><main><p>Some words.</p><a href='/next'>next</a></main></body></html>"
    return read_html(body.encode(), url="https://a.test/", charset=None, robots_tag=robots_tag, agent="ragsell")


def test_honours_robots_meta_tags() -> None:
    assert page_with('<meta name="robots" content="noindex">').noindex
    assert page_with('<meta name="ragsell" content="noindex">').noindex
    assert not page_with('<meta name="otherbot" content="noindex">').noindex
    nofollow = page_with('<meta name="robots" content="NOFOLLOW">')
    assert (nofollow.nofollow, nofollow.links) == (True, ())
    none = page_with('<meta name="robots" content="none">')
    assert none.noindex and none.nofollow


def test_honours_the_x_robots_tag_header() -> None:
    assert page_with("", robots_tag="noindex").noindex
    assert page_with("", robots_tag="ragsell: noindex, nofollow").nofollow
    assert not page_with("", robots_tag="otherbot: noindex, nofollow").noindex
    assert not page_with("", robots_tag="unavailable_after: 2030-01-01T00:00:00Z").noindex


def test_an_empty_or_script_only_page_has_no_sections() -> None:
    assert read_html(b"", url="https://a.test/", charset=None, robots_tag="", agent="ragsell").sections == ()
    scripts = b"<html><body><script>render()</script></body></html>"
    assert read_html(scripts, url="https://a.test/", charset=None, robots_tag="", agent="ragsell").sections == ()


def test_reads_xhtml_with_an_xml_declaration() -> None:
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
        b"<head><title>X</title></head><body><p>Hello there.</p></body></html>"
    )
    document = read_html(body, url="https://a.test/", charset=None, robots_tag="", agent="ragsell")
    assert document.title == "X"
