"""Web addresses and origins: one normal form, and what is refused."""

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ragsell.domain.conversations import page_address
from ragsell.domain.errors import InvalidUrl
from ragsell.domain.urls import MAX_URL_LENGTH, normalize_origin, normalize_url, origin_of

# --- strategies -------------------------------------------------------------------


def _any_case(word: str) -> st.SearchStrategy[str]:
    return st.tuples(*(st.sampled_from([c.lower(), c.upper()]) for c in word)).map("".join)


schemes = st.sampled_from(["http", "https"]).flatmap(_any_case)
ascii_labels = st.from_regex(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,12}[a-zA-Z0-9])?", fullmatch=True)
# Letters of several scripts; every label made of them is a valid internationalized label.
unicode_labels = st.text(alphabet="abcxyzÄäöüéñçåøжкиεπ中文日本ß", min_size=1, max_size=8)
labels = st.one_of(ascii_labels, unicode_labels)
tlds = st.sampled_from(["com", "org", "de", "io", "COM", "Org", "рф", "中国", "xn--p1ai"])
hosts = st.builds(
    lambda names, tld, dot: ".".join([*names, tld]) + dot,
    st.lists(labels, min_size=1, max_size=3),
    tlds,
    st.sampled_from(["", "."]),
)
ports = st.one_of(
    st.just(""),
    st.sampled_from([":80", ":443", ":", ":0080", ":8080"]),
    st.integers(min_value=1, max_value=65535).map(lambda port: f":{port}"),
)
escapes = st.sampled_from(
    ["%7E", "%7e", "%41", "%2F", "%2f", "%26", "%3D", "%3d", "%E9", "%e9", "%20", "%25", "%C3%A9"]
)
plain_text = st.text(alphabet="abcXYZ019-._~!$&'()*+,;=:@ é中%", min_size=0, max_size=6)
path_segments = st.lists(st.one_of(plain_text, escapes), max_size=4).map("".join)
paths = st.lists(path_segments, max_size=4).map(lambda segments: "".join(f"/{segment}" for segment in segments))
queries = st.one_of(
    st.just(""),
    st.lists(st.one_of(plain_text, escapes, st.sampled_from(["=", "&", "?", "/"])), max_size=6).map(
        lambda parts: "?" + "".join(parts)
    ),
)
fragments = st.one_of(st.just(""), st.text(alphabet="abc#?/%", max_size=5).map(lambda text: f"#{text}"))

urls = st.builds(
    lambda scheme, host, port, path, query, fragment: f"{scheme}://{host}{port}{path}{query}{fragment}",
    schemes,
    hosts,
    ports,
    paths,
    queries,
    fragments,
)


# --- normal form ------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(urls)
def test_url_normalization_accepts_well_formed_http_urls_and_is_idempotent(url: str) -> None:
    once = normalize_url(url)
    assert normalize_url(once) == once
    assert normalize_url(once, keep_query=False) == normalize_url(url, keep_query=False)


@settings(max_examples=200, deadline=None)
@given(urls)
def test_normalized_url_has_lower_case_scheme_and_host_no_default_port_and_no_fragment(url: str) -> None:
    parts = urlsplit(normalize_url(url))
    assert parts.scheme in ("http", "https")
    assert parts.netloc == parts.netloc.lower()
    assert parts.netloc.isascii()
    assert parts.fragment == ""
    assert parts.path.startswith("/")
    assert parts.port not in ({"http": 80, "https": 443}[parts.scheme],)
    assert not parts.netloc.endswith(".")


@settings(max_examples=100, deadline=None)
@given(urls)
def test_percent_escapes_compare_equal_whatever_the_case_of_their_hex_digits(url: str) -> None:
    def recase(change: Callable[[str], str]) -> str:
        return re.sub(r"%[0-9a-fA-F]{2}", lambda escape: change(escape.group(0)), url)

    assert normalize_url(recase(str.upper)) == normalize_url(recase(str.lower)) == normalize_url(url)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://Example.COM", "https://example.com/"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("http://example.com:443/", "http://example.com:443/"),
        ("https://example.com./", "https://example.com/"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://example.com/a#section", "https://example.com/a"),
        ("https://example.com/?", "https://example.com/"),
        ("https://example.com?q=1", "https://example.com/?q=1"),
        ("https://example.com/%7e/%7E/~", "https://example.com/~/~/~"),
        ("https://example.com/%41%62c", "https://example.com/Abc"),
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("https://example.com/café", "https://example.com/caf%C3%A9"),
        ("https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"),
        ("https://example.com/100%", "https://example.com/100%25"),
        ("https://example.com/%zz", "https://example.com/%25zz"),
        ("https://bücher.de/", "https://xn--bcher-kva.de/"),
        ("https://BÜCHER.de/", "https://xn--bcher-kva.de/"),
        ("https://пример.рф/", "https://xn--e1afmkfd.xn--p1ai/"),
    ],
)
def test_url_normal_form(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # An escaped reserved character is data, not a delimiter: decoding it changes the address.
        ("https://example.com/a%2Fb", "https://example.com/a%2Fb"),
        ("https://example.com/a%2fb", "https://example.com/a%2Fb"),
        ("https://example.com/?next=a%26b%3Dc", "https://example.com/?next=a%26b%3Dc"),
        ("https://example.com/?q=%3F%23", "https://example.com/?q=%3F%23"),
        # A byte that is not UTF-8 (a Latin-1 page name) is kept, not replaced.
        ("https://example.com/caf%E9", "https://example.com/caf%E9"),
        ("https://example.com/%25", "https://example.com/%25"),
    ],
)
def test_url_normalization_keeps_escapes_whose_meaning_differs_from_the_bare_character(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


def test_url_normalization_can_drop_the_query() -> None:
    assert normalize_url("https://example.com/a?email=x@y.z#top", keep_query=False) == "https://example.com/a"


@pytest.mark.parametrize(
    "raw",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "mailto:someone@example.com",
        "data:text/html,hi",
        "ws://example.com/",
        "gopher://example.com/",
        "example.com",
        "//example.com/a",
        "/relative/path",
    ],
)
def test_url_normalization_rejects_non_http_schemes(raw: str) -> None:
    with pytest.raises(InvalidUrl):
        normalize_url(raw)


@settings(max_examples=100, deadline=None)
@given(
    st.from_regex(r"[a-zA-Z][a-zA-Z0-9+.-]{0,10}", fullmatch=True).filter(lambda s: s.lower() not in ("http", "https"))
)
def test_url_normalization_rejects_every_other_scheme(scheme: str) -> None:
    with pytest.raises(InvalidUrl):
        normalize_url(f"{scheme}://example.com/")


@pytest.mark.parametrize(
    "raw",
    [
        "https://user@example.com/",
        "https://user:secret@example.com/",
        "https://:secret@example.com/",
        "https://@example.com/",
    ],
)
def test_url_normalization_rejects_credentials(raw: str) -> None:
    with pytest.raises(InvalidUrl):
        normalize_url(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "https:///path",
        "https://",
        "https://exa_mple.com/",
        "https://-example.com/",
        "https://example-.com/",
        "https://exa mple.com/",
        "https://example..com/",
        "https://.example.com/",
        f"https://{'a' * 64}.com/",
        "https://" + ".".join(["a" * 60] * 5) + ".com/",
        "https://example.com:99999/",
        "https://example.com:port/",
        "https://[::1]/",
        "https://[not-an-ip]/",
        "https://exa%6dple.com/",
        "https://example.com\u2100/",
    ],
)
def test_url_normalization_rejects_bad_hosts_and_ports(raw: str) -> None:
    with pytest.raises(InvalidUrl):
        normalize_url(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "https://example.com/a\x00b",
        "https://example.com/a\nb",
        "https://example.com/\u202e",
        "https://example.com/" + "a" * MAX_URL_LENGTH,
    ],
)
def test_url_normalization_rejects_empty_unprintable_and_overlong_input(raw: str) -> None:
    with pytest.raises(InvalidUrl):
        normalize_url(raw)


def test_url_errors_name_the_field() -> None:
    with pytest.raises(InvalidUrl) as caught:
        normalize_url("ftp://example.com/")
    assert caught.value.field == "url"
    assert caught.value.code == "invalid_url"


# --- origins ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.example.com", "https://www.example.com"),
        ("https://www.example.com/", "https://www.example.com"),
        ("HTTPS://WWW.Example.COM", "https://www.example.com"),
        ("https://example.com:443", "https://example.com"),
        ("http://example.com:80", "http://example.com"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("https://bücher.de", "https://xn--bcher-kva.de"),
        (" https://example.com ", "https://example.com"),
    ],
)
def test_origin_normal_form(raw: str, expected: str) -> None:
    assert normalize_origin(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "https://example.com/path",
        "https://example.com/?q=1",
        "https://example.com/#top",
        "https://user:pw@example.com",
        "ftp://example.com",
        "null",
        "example.com",
        "",
    ],
)
def test_origin_normalization_rejects_anything_but_scheme_host_and_port(raw: str) -> None:
    with pytest.raises(InvalidUrl) as caught:
        normalize_origin(raw)
    assert caught.value.field == "allowedOrigins"


@settings(max_examples=100, deadline=None)
@given(schemes, hosts, ports)
def test_origin_normalization_is_idempotent_and_matches_the_urls_origin(scheme: str, host: str, port: str) -> None:
    origin = normalize_origin(f"{scheme}://{host}{port}")
    assert normalize_origin(origin) == origin
    assert origin == origin_of(f"{scheme}://{host}{port}/some/page?q=1")


# --- page addresses ---------------------------------------------------------------


def test_page_addresses_keep_neither_query_nor_fragment() -> None:
    assert page_address("https://Shop.example.com/cart?email=a@b.c&token=secret#pay") == "https://shop.example.com/cart"


def test_page_addresses_must_be_http() -> None:
    with pytest.raises(InvalidUrl):
        page_address("chrome-extension://abcdef/page.html")
