"""Server-side request forgery: the fetcher never connects to an address that is not
globally routable, however it is spelled or reached. Each case has a listener on the
loopback address that must see no connection at all."""

import pytest

from ragsell.adapters.web import GuardedFetcher
from ragsell.adapters.web.fetcher import FetchKind, Refused
from tests.web.conftest import SMALL_LIMITS, Listener, LocalSite, page, redirect


def guarded(resolver=None, *, allow_loopback: bool = False) -> GuardedFetcher:
    async def resolve_nothing(host: str, port: int) -> list[str]:
        raise AssertionError(f"{host} should not have been looked up")

    return GuardedFetcher(
        user_agent="ragsell/test",
        limits=SMALL_LIMITS,
        resolver=resolver or resolve_nothing,
        allow_loopback=allow_loopback,
    )


def resolving_to(*addresses: str):
    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


async def assert_refused(fetcher: GuardedFetcher, url: str, listener: Listener | None = None) -> None:
    with pytest.raises(Refused) as refused:
        await fetcher.fetch(url, FetchKind.PAGE)
    assert refused.value.reason.startswith("refused: ")
    if listener is not None:
        assert listener.saw_no_connection()


async def test_refuses_loopback_by_default(listener: Listener) -> None:
    await assert_refused(guarded(), f"http://127.0.0.1:{listener.port}/", listener)


async def test_refuses_a_name_that_resolves_to_loopback(listener: Listener) -> None:
    await assert_refused(guarded(resolving_to("127.0.0.1")), f"http://localhost:{listener.port}/", listener)


async def test_refuses_ipv6_loopback(listener: Listener) -> None:
    await assert_refused(guarded(), f"http://[::1]:{listener.port}/", listener)


async def test_refuses_decimal_ip_spelling(listener: Listener) -> None:
    await assert_refused(guarded(), f"http://2130706433:{listener.port}/", listener)


async def test_refuses_octal_ip_spelling(listener: Listener) -> None:
    await assert_refused(guarded(), f"http://0177.0.0.1:{listener.port}/", listener)


async def test_refuses_hex_ip_spelling(listener: Listener) -> None:
    await assert_refused(guarded(), f"http://0x7f.1:{listener.port}/", listener)
    await assert_refused(guarded(), f"http://0x7f000001:{listener.port}/", listener)


async def test_refuses_short_ip_spelling(listener: Listener) -> None:
    await assert_refused(guarded(), f"http://127.1:{listener.port}/", listener)


async def test_refuses_ipv4_mapped_ipv6(listener: Listener) -> None:
    await assert_refused(guarded(), f"http://[::ffff:127.0.0.1]:{listener.port}/", listener)
    await assert_refused(guarded(), f"http://[::ffff:7f00:1]:{listener.port}/", listener)


async def test_refuses_unspecified_address(listener: Listener) -> None:
    # Connecting to 0.0.0.0 reaches the local machine on Linux.
    await assert_refused(guarded(), f"http://0.0.0.0:{listener.port}/", listener)
    await assert_refused(guarded(), f"http://0:{listener.port}/", listener)


async def test_refuses_cloud_metadata_address(listener: Listener) -> None:
    await assert_refused(guarded(), "http://169.254.169.254/latest/meta-data/")
    await assert_refused(guarded(resolving_to("169.254.169.254")), "http://metadata.google.internal/")
    await assert_refused(guarded(), "http://[fd00:ec2::254]/latest/meta-data/")
    assert listener.saw_no_connection()


async def test_refuses_private_networks() -> None:
    for address in ("10.0.0.1", "172.16.0.1", "192.168.1.1", "[fc00::1]", "[fe80::1]"):
        await assert_refused(guarded(), f"http://{address}/")


async def test_refuses_carrier_grade_nat() -> None:
    await assert_refused(guarded(), "http://100.64.0.1/")
    await assert_refused(guarded(resolving_to("100.127.255.254")), "http://cgnat.example/")


async def test_refuses_multicast_and_reserved_addresses() -> None:
    for address in ("224.0.0.1", "240.0.0.1", "255.255.255.255", "[ff02::1]"):
        await assert_refused(guarded(), f"http://{address}/")


async def test_refuses_ipv6_that_embeds_a_private_ipv4() -> None:
    for address in ("[2002:7f00:1::]", "[64:ff9b::a00:1]"):  # 6to4 of 127.0.0.1, NAT64 of 10.0.0.1
        await assert_refused(guarded(), f"http://{address}/")


async def test_refuses_when_any_resolved_address_is_private(listener: Listener) -> None:
    fetcher = guarded(resolving_to("93.184.215.14", "127.0.0.1"))
    await assert_refused(fetcher, f"http://mixed.example:{listener.port}/", listener)


async def test_refuses_non_http_schemes(listener: Listener) -> None:
    for url in (
        "file:///etc/passwd",
        f"ftp://127.0.0.1:{listener.port}/",
        f"gopher://127.0.0.1:{listener.port}/_GET",
        "data:text/html,<h1>hi</h1>",
        f"ws://127.0.0.1:{listener.port}/",
    ):
        await assert_refused(guarded(allow_loopback=True), url, listener)


async def test_refuses_credentials_in_the_address(listener: Listener) -> None:
    await assert_refused(guarded(resolving_to("93.184.215.14")), f"http://user:secret@example.com:{listener.port}/")


async def test_refuses_redirect_to_private_address(site: LocalSite) -> None:
    second = Listener("127.0.0.2")
    try:
        site.routes["/to-loopback"] = redirect(f"http://127.0.0.2:{second.port}/")
        site.routes["/to-metadata"] = redirect("http://169.254.169.254/latest/meta-data/")
        site.routes["/to-file"] = redirect("file:///etc/passwd")
        site.routes["/to-decimal"] = redirect(f"http://2130706434:{second.port}/")
        fetcher = guarded(resolving_to("127.0.0.1"), allow_loopback=True)
        for path in ("/to-loopback", "/to-metadata", "/to-file", "/to-decimal"):
            await assert_refused(fetcher, site.url(path), second)
    finally:
        second.socket.close()
    assert site.paths() == ["/to-loopback", "/to-metadata", "/to-file", "/to-decimal"]


async def test_dns_rebinding_cannot_switch_address(site: LocalSite) -> None:
    """Each hop looks the name up once, checks the answer and connects to that address: a
    fetcher that looked the name up again itself could not even find rebind.test (only the
    injected resolver knows it). When the name turns private between hops, the hop is refused."""
    second = Listener("127.0.0.2", site.port)
    answers = iter(["127.0.0.1", "127.0.0.1", "127.0.0.2"])
    lookups: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        lookups.append(host)
        return [next(answers)]

    site.routes["/"] = page("<h1>Hello</h1>")
    site.routes["/hop"] = redirect("/")
    fetcher = guarded(rebinding, allow_loopback=True)
    try:
        fetched = await fetcher.fetch(site.url("/", host="rebind.test"), FetchKind.PAGE)
        assert b"Hello" in fetched.body
        assert lookups == ["rebind.test"]
        await assert_refused(fetcher, site.url("/hop", host="rebind.test"), second)
    finally:
        second.socket.close()
    assert lookups == ["rebind.test"] * 3
    assert site.paths() == ["/", "/hop"]


async def test_allowing_loopback_for_tests_allows_nothing_else(listener: Listener) -> None:
    fetcher = guarded(allow_loopback=True)
    for url in (f"http://127.0.0.2:{listener.port}/", "http://10.0.0.1/", "http://169.254.169.254/"):
        await assert_refused(fetcher, url)
    assert listener.saw_no_connection()
