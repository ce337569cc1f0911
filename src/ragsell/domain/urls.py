"""Web addresses: the one normal form every URL and origin is compared in."""

import re
import string
from urllib.parse import quote, urlsplit, urlunsplit

from ragsell.domain.errors import InvalidUrl

MAX_URL_LENGTH = 2048
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
# Characters left as they are inside a path or query; everything else is percent-encoded.
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"
# Characters whose percent-escape means the same as the character itself (RFC 3986, 2.3).
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_ESCAPE = re.compile(r"(%[0-9A-Fa-f]{2})")


def _host(raw_host: str | None) -> str:
    if not raw_host:
        raise InvalidUrl("The address needs a host name, like https://example.com.", field="url")
    try:
        host = raw_host.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise InvalidUrl("The host name is not valid.", field="url") from None
    labels = host.split(".")
    if len(host) > 253 or any(_HOST_LABEL.fullmatch(label) is None for label in labels):
        raise InvalidUrl("The host name is not valid.", field="url")
    return host


def _requote(part: str, safe: str) -> str:
    """One spelling per meaning: %7e and ~ compare equal, escapes get upper-case hex,
    other characters outside ``safe`` are encoded as UTF-8. Escapes of anything but
    unreserved characters stay escapes: %2F, %26 or %3D mean something else than
    /, & or =, and %E9 (a Latin-1 byte) must not become another address."""
    safe = safe.replace("%", "")
    pieces = _ESCAPE.split(part)
    for index, piece in enumerate(pieces):
        if index % 2:
            character = chr(int(piece[1:], 16))
            pieces[index] = character if character in _UNRESERVED else piece.upper()
        else:
            # A "%" that starts no escape is a literal percent sign: %25.
            pieces[index] = quote(piece, safe=safe)
    return "".join(pieces)


def normalize_url(raw: str, *, keep_query: bool = True) -> str:
    """http(s) URL in one spelling: lower-case scheme and host, no default port,
    no fragment, percent-encoding made uniform, "/" for an empty path.

    Idempotent: ``normalize_url(normalize_url(u)) == normalize_url(u)``.
    """
    text = raw.strip()
    if not text or len(text) > MAX_URL_LENGTH or not text.isprintable():
        raise InvalidUrl("Enter a web address of at most 2048 characters.", field="url")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidUrl("The address is not valid.", field="url") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidUrl("Only http and https addresses are accepted.", field="url")
    if parts.username is not None or parts.password is not None:
        raise InvalidUrl("Addresses with a user name or password are not accepted.", field="url")
    host = _host(parts.hostname)
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _requote(parts.path, _SAFE_PATH) or "/"
    query = _requote(parts.query, _SAFE_QUERY) if keep_query else ""
    normalized = urlunsplit((scheme, netloc, path, query, ""))
    if len(normalized) > MAX_URL_LENGTH:
        raise InvalidUrl("Enter a web address of at most 2048 characters.", field="url")
    return normalized


def origin_of(url: str) -> str:
    """scheme://host[:port] of a normalized URL."""
    parts = urlsplit(normalize_url(url))
    return f"{parts.scheme}://{parts.netloc}"


def normalize_origin(raw: str) -> str:
    """An origin as browsers send it in the Origin header: scheme://host[:port], nothing after."""
    parts = urlsplit(raw.strip())
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InvalidUrl("An origin is only scheme and host, like https://www.example.com.", field="allowedOrigins")
    try:
        return origin_of(raw)
    except InvalidUrl as error:
        raise InvalidUrl(error.message, field="allowedOrigins") from None
