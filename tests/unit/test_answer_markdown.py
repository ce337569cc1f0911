"""Answers on the owner's pages: the widget's Markdown subset, built from escaped text."""

from ragsell.entrypoints.http.dashboard.pages.markdown import render_answer

SITE = "https://shop.example/"


def test_paragraphs_lists_bold_code_and_site_links() -> None:
    html = render_answer("We ship **fast**.\nSee `tracking`.\n\n- one\n- two [our page](/shipping)\n\n1. first", SITE)
    assert html == (
        "<p>We ship <strong>fast</strong>.<br>See <code>tracking</code>.</p>"
        '<ul><li>one</li><li>two <a href="https://shop.example/shipping" target="_blank" '
        'rel="noopener noreferrer">our page</a></li></ul><ol><li>first</li></ol>'
    )


def test_headings_become_bold_lines() -> None:
    assert render_answer("## Prices\nFrom 5 euros.", SITE) == "<p><strong>Prices</strong><br>From 5 euros.</p>"


def test_markup_is_text_and_only_web_links_are_links() -> None:
    html = render_answer('<img src=x onerror="alert(1)"> [x](javascript:void) [y](data:text/html,z)', SITE)
    assert "<img" not in html and "href" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert html.endswith(" x y</p>")


def test_escaped_openers_and_quotes_in_addresses_stay_inert() -> None:
    html = render_answer('\\[not a link\\] [z](/a"onclick="alert`1`)', SITE)
    assert html.startswith("<p>[not a link] <a href=")
    assert 'onclick="' not in html
    assert "&#34;onclick=&#34;" in html
