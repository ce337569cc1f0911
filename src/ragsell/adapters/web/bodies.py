"""Reading response bodies within a size cap, however they are compressed."""

import zlib


class BodyTooLarge(Exception):
    pass


class BadEncoding(Exception):
    pass


def split_content_type(content_type: str) -> tuple[str, str | None]:
    """``text/html; charset=UTF-8`` -> ("text/html", "utf-8")."""
    kind, *parameters = content_type.split(";")
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip("\"'"):
            charset = value.strip().strip("\"'").lower()
    return kind.strip().lower(), charset


class Inflater:
    """gzip or zlib data, decompressed a piece at a time: at most ``limit`` bytes come out,
    whatever the ratio (a gzip bomb stops at the cap instead of filling memory); past
    that, ``overflowed`` is set and the rest is ignored."""

    def __init__(self, limit: int) -> None:
        self._zlib = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32)
        self._limit = limit
        self._size = 0
        self.overflowed = False

    def __call__(self, data: bytes) -> bytes:
        pieces = []
        while data and not self.overflowed:
            try:
                piece = self._zlib.decompress(data, self._limit - self._size + 1)
            except zlib.error:
                raise BadEncoding("the compressed body is damaged") from None
            self._size += len(piece)
            if self._size > self._limit:
                self.overflowed = True
                piece = piece[: len(piece) - (self._size - self._limit)]
            pieces.append(piece)
            data = self._zlib.unconsumed_tail
        return b"".join(pieces)


class BodyReader:
    """Collects a body through ``layers`` gzip decoders, refusing it past ``limit`` bytes
    or, with ``truncate``, keeping the first ``limit`` bytes."""

    def __init__(self, limit: int, *, layers: int, truncate: bool) -> None:
        self._inflaters = [Inflater(limit) for _ in range(layers)]
        self._limit = limit
        self._truncate = truncate
        self._body = bytearray()

    def feed(self, data: bytes) -> bool:
        """Adds raw bytes; False once the body is complete at the cap (truncated)."""
        for inflate in self._inflaters:
            data = inflate(data)
        self._body.extend(data)
        if len(self._body) <= self._limit and not any(inflate.overflowed for inflate in self._inflaters):
            return True
        if not self._truncate:
            raise BodyTooLarge
        del self._body[self._limit :]
        return False

    @property
    def body(self) -> bytes:
        return bytes(self._body)
