"""The one way the server fetches a URL: pages, robots.txt, sitemaps and every redirect,
and the one way it POSTs to one (lead webhooks).

Each hop is checked before any connection is opened: http or https only, and every
address the host resolves to must be globally routable. The connection then goes to
the checked address itself (the host name stays in the Host header and TLS SNI), so a
second DNS answer cannot switch it elsewhere. Bodies are capped after decompression,
and each fetch has a total deadline and a limit on silence between bytes.
"""

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable, Iterator
from enum import StrEnum
from ipaddress import IPv6Address, ip_address
from typing import NamedTuple
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import httpx
import msgspec

from ragsell import __version__
from ragsell.adapters.web.addresses import InvalidHost, IPAddress, address_literal, is_allowed
from ragsell.adapters.web.bodies import BadEncoding, BodyReader, BodyTooLarge, split_content_type
from ragsell.application.ports.web import Validators
from ragsell.domain.crawling import PageOutcome

# (host, port) -> the addresses the host name resolves to.
Resolver = Callable[[str, int], Awaitable[list[str]]]

KIB = 1024
MIB = 1024 * KIB
_DEFAULT_PORTS = {"http": 80, "https": 443}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_GZIP_FILES = frozenset({"application/gzip", "application/x-gzip"})
_CONTENT_CODINGS = frozenset({"gzip", "x-gzip", "deflate"})
# What is read of the answer to a POST (a webhook's): enough to end the exchange cleanly.
ANSWER_BYTES = 64 * KIB


# Our product token: the User-Agent starts with it, and robots.txt groups name it.
AGENT_NAME = "ragsell"


def user_agent(public_url: str) -> str:
    return f"{AGENT_NAME}/{__version__} (+{public_url})"


class FetchKind(StrEnum):
    PAGE = "page"
    SITEMAP = "sitemap"
    ROBOTS = "robots"


class FetchLimits(msgspec.Struct, frozen=True, kw_only=True):
    page_bytes: int = 5 * MIB
    sitemap_bytes: int = 10 * MIB
    # Google reads the first 500 KiB of a robots.txt and ignores the rest; so do we.
    robots_bytes: int = 500 * KIB
    total_seconds: float = 20.0
    idle_seconds: float = 10.0
    redirects: int = 5


class Fetched(msgspec.Struct, frozen=True, kw_only=True):
    url: str  # after redirects
    status: int
    media_type: str = ""
    charset: str | None = None
    body: bytes = b""
    validators: Validators = Validators()
    robots_tag: str = ""  # the X-Robots-Tag header

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class FetchError(Exception):
    """What became of a URL that could not be read, with a short reason for the owner."""

    def __init__(self, outcome: PageOutcome, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason
        self.status = status

    @property
    def transient(self) -> bool:
        """A failure of the moment (network, server error, throttling), not of the page."""
        return self.outcome is PageOutcome.FAILED and (self.status is None or self.status >= 500 or self.status == 429)


class Refused(FetchError):
    """The scheme or an address of the URL is one the server never connects to."""

    def __init__(self, reason: str) -> None:
        super().__init__(PageOutcome.FAILED, f"refused: {reason}")


class RedirectNotFollowed(FetchError):
    def __init__(self, location: str) -> None:
        super().__init__(PageOutcome.EXCLUDED, f"redirects to {location}, outside the site")
        self.location = location


class _Rules(NamedTuple):
    accept: str
    media_types: frozenset[str]
    what: str
    limit: int
    truncate: bool


def _rules(kind: FetchKind, limits: FetchLimits) -> _Rules:
    if kind is FetchKind.PAGE:
        types = frozenset({"text/html", "application/xhtml+xml"})
        return _Rules("text/html, application/xhtml+xml;q=0.9", types, "a web page", limits.page_bytes, False)
    if kind is FetchKind.SITEMAP:
        types = frozenset({"application/xml", "text/xml"}) | _GZIP_FILES
        return _Rules(
            "application/xml, text/xml;q=0.9, application/gzip;q=0.5", types, "a sitemap", limits.sitemap_bytes, False
        )
    return _Rules("text/plain", frozenset({"text/plain"}), "a robots.txt", limits.robots_bytes, True)


def _anywhere(_: str) -> bool:
    return True


def _size(limit: int) -> str:
    for unit, size in (("MiB", MIB), ("KiB", KIB)):
        if limit >= size and limit % size == 0:
            return f"{limit // size} {unit}"
    return f"{limit} bytes"


def _status_reason(status: int) -> str:
    if status in (404, 410):
        return f"not found ({status})"
    if status in (401, 403):
        return f"access denied ({status})"
    if status == 429:
        return "too many requests (429)"
    if status >= 500:
        return f"server error ({status})"
    return f"unexpected answer ({status})"


async def resolve_host(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _split(url: str) -> tuple[SplitResult, str, int]:
    """The URL's parts, its host (IDNA, lower-case) and port, or Refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        raise Refused("the address is not valid") from None
    if parts.scheme not in _DEFAULT_PORTS:
        raise Refused(f"only http and https addresses are fetched, not {parts.scheme or 'this'}")
    if parts.username is not None or parts.password is not None:
        raise Refused("addresses with a user name or password are not fetched")
    if not host:
        raise Refused("the address has no host")
    return parts, host, port or _DEFAULT_PORTS[parts.scheme]


class _Target(NamedTuple):
    url: httpx.URL  # with the checked address in place of the host name
    host_header: str
    sni_hostname: str | None


class GuardedFetcher:
    def __init__(
        self,
        *,
        user_agent: str,
        limits: FetchLimits = FetchLimits(),
        resolver: Resolver = resolve_host,
        allow_loopback: bool = False,
    ) -> None:
        """``allow_loopback`` lets the project's own tests reach 127.0.0.1 and ::1 (and no
        other private address); it is never on in a deployment."""
        self._user_agent = user_agent
        self._limits = limits
        self._resolve = resolver
        self._allow_loopback = allow_loopback
        self._tls = httpx.create_ssl_context(trust_env=False)
        idle = limits.idle_seconds
        self._timeout = httpx.Timeout(connect=idle, read=idle, write=idle, pool=idle)

    async def fetch(
        self,
        url: str,
        kind: FetchKind,
        *,
        validators: Validators | None = None,
        may_follow: Callable[[str], bool] = _anywhere,
    ) -> Fetched:
        """GETs ``url``, following at most ``limits.redirects`` redirects to URLs that
        ``may_follow`` accepts; with ``validators``, a 304 answer comes back as not modified.
        Raises FetchError (Refused for a forbidden scheme or address)."""
        rules = _rules(kind, self._limits)
        conditional = {}
        if validators is not None and validators.etag:
            conditional["If-None-Match"] = validators.etag
        if validators is not None and validators.last_modified:
            conditional["If-Modified-Since"] = validators.last_modified
        try:
            async with asyncio.timeout(self._limits.total_seconds):
                for _ in range(self._limits.redirects + 1):
                    answer = await self._get(url, rules, conditional)
                    if isinstance(answer, Fetched):
                        return answer
                    _split(answer)  # a redirect to another scheme is refused before anything else
                    if not may_follow(answer):
                        raise RedirectNotFollowed(answer)
                    # Validators belong to the URL asked for, not to where it redirects.
                    url, conditional = answer, {}
        except TimeoutError:
            raise FetchError(
                PageOutcome.FAILED, f"no complete answer within {self._limits.total_seconds:g} s"
            ) from None
        raise FetchError(PageOutcome.FAILED, f"more than {self._limits.redirects} redirects")

    async def _target(self, url: str) -> _Target:
        parts, host, port = _split(url)
        try:
            literal = address_literal(host)
        except InvalidHost:
            raise Refused(f"{host} is not a valid host") from None
        addresses = [literal] if literal is not None else await self._lookup(host, port)
        for address in addresses:
            if not is_allowed(address, allow_loopback=self._allow_loopback):
                raise Refused(f"{host} is not a public address ({address})")
        address = addresses[0]
        if literal is not None:
            host = f"[{address}]" if isinstance(address, IPv6Address) else str(address)
        host_header = host if port == _DEFAULT_PORTS[parts.scheme] else f"{host}:{port}"
        try:
            pinned = httpx.URL(urlunsplit(parts._replace(fragment=""))).copy_with(host=str(address))
        except httpx.InvalidURL:
            raise Refused("the address is not valid") from None
        sni_hostname = host if parts.scheme == "https" and literal is None else None
        return _Target(pinned, host_header, sni_hostname)

    async def _lookup(self, host: str, port: int) -> list[IPAddress]:
        try:
            found = await self._resolve(host, port)
        except OSError:
            found = []
        if not found:
            raise FetchError(PageOutcome.FAILED, f"the host {host} was not found")
        try:
            return [ip_address(address) for address in found]
        except ValueError:
            raise Refused(f"{host} resolves to something that is not an address") from None

    async def _get(self, url: str, rules: _Rules, conditional: dict[str, str]) -> Fetched | str:
        """One hop: the answer, or the absolute URL a redirect points to."""
        target = await self._target(url)
        headers = {
            "Host": target.host_header,
            "User-Agent": self._user_agent,
            "Accept": rules.accept,
            "Accept-Encoding": "gzip, deflate",
            **conditional,
        }
        extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else {}
        with self._transport_errors():
            async with httpx.AsyncClient(verify=self._tls, trust_env=False, timeout=self._timeout) as client:
                request = client.build_request("GET", target.url, headers=headers, extensions=extensions)
                response = await client.send(request, stream=True)
                try:
                    return await self._read(url, response, rules, conditional=bool(conditional))
                finally:
                    await response.aclose()

    @contextlib.contextmanager
    def _transport_errors(self) -> Iterator[None]:
        idle = self._limits.idle_seconds
        try:
            yield
        except httpx.ConnectTimeout:
            raise FetchError(PageOutcome.FAILED, f"could not connect within {idle:g} s") from None
        except httpx.TimeoutException:
            raise FetchError(PageOutcome.FAILED, f"the server sent nothing for {idle:g} s") from None
        except httpx.ConnectError:
            raise FetchError(PageOutcome.FAILED, "could not connect") from None
        except httpx.HTTPError:
            raise FetchError(PageOutcome.FAILED, "the server's answer was cut off or not valid HTTP") from None

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POSTs ``body`` to ``url`` under the same address rules as a fetch, follows no
        redirect, and returns the answer's status (its body, up to ANSWER_BYTES, is read
        and dropped). Raises FetchError (Refused for a forbidden scheme or address)."""
        try:
            async with asyncio.timeout(self._limits.total_seconds):
                target = await self._target(url)
                extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else {}
                sent = {**headers, "Host": target.host_header, "User-Agent": self._user_agent}
                with self._transport_errors():
                    async with httpx.AsyncClient(verify=self._tls, trust_env=False, timeout=self._timeout) as client:
                        request = client.build_request(
                            "POST", target.url, headers=sent, content=body, extensions=extensions
                        )
                        response = await client.send(request, stream=True)
                        try:
                            read = 0
                            async for chunk in response.aiter_raw():
                                read += len(chunk)
                                if read >= ANSWER_BYTES:
                                    break
                            return response.status_code
                        finally:
                            await response.aclose()
        except TimeoutError:
            raise FetchError(
                PageOutcome.FAILED, f"no complete answer within {self._limits.total_seconds:g} s"
            ) from None

    async def _read(self, url: str, response: httpx.Response, rules: _Rules, *, conditional: bool) -> Fetched | str:
        status = response.status_code
        if status in _REDIRECTS:
            location = response.headers.get("location", "").strip()
            if not location:
                raise FetchError(PageOutcome.FAILED, f"redirect ({status}) without a location", status=status)
            return urljoin(url, location).split("#", 1)[0]
        validators = Validators(etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"))
        if status == 304 and conditional:
            return Fetched(url=url, status=status, validators=validators)
        if not 200 <= status < 300:
            raise FetchError(PageOutcome.FAILED, _status_reason(status), status=status)
        kind, charset = split_content_type(response.headers.get("content-type", ""))
        if kind not in rules.media_types:
            raise FetchError(PageOutcome.WRONG_TYPE, f"not {rules.what} ({kind or 'no content type'})", status=status)
        body = await self._body(response, rules, gzip_file=kind in _GZIP_FILES)
        robots_tag = ", ".join(response.headers.get_list("x-robots-tag"))
        return Fetched(
            url=url,
            status=status,
            media_type=kind,
            charset=charset,
            body=body,
            validators=validators,
            robots_tag=robots_tag,
        )

    async def _body(self, response: httpx.Response, rules: _Rules, *, gzip_file: bool) -> bytes:
        codings = [c.strip().lower() for c in response.headers.get("content-encoding", "").split(",")]
        codings = [c for c in codings if c not in ("", "identity")]
        if unknown := [c for c in codings if c not in _CONTENT_CODINGS]:
            raise FetchError(PageOutcome.FAILED, f"unsupported content encoding {unknown[0]}")
        too_large = FetchError(PageOutcome.TOO_LARGE, f"larger than {_size(rules.limit)}")
        declared = response.headers.get("content-length", "")
        if not codings and not rules.truncate and declared.isdigit() and int(declared) > rules.limit:
            raise too_large
        reader = BodyReader(rules.limit, layers=len(codings) + gzip_file, truncate=rules.truncate)
        try:
            async for chunk in response.aiter_raw():
                if not reader.feed(chunk):
                    break
        except BodyTooLarge:
            raise too_large from None
        except BadEncoding as error:
            raise FetchError(PageOutcome.FAILED, str(error)) from None
        return reader.body
