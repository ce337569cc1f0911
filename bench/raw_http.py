"""A raw HTTP/1.1 client on one kept-alive connection that notes when every read
arrived, so a benchmark can tell when each part of a streamed response came in."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass


@dataclass
class RawResponse:
    status: int
    body: bytes
    # When the request was written.
    sent: float
    # Everything read: the head, then the body as framed on the wire.
    received: bytes
    head_end: int
    # (bytes read so far, when) after each read.
    arrivals: list[tuple[int, float]]

    def arrived_by(self, position: int) -> float:
        """When the byte at ``position`` of ``received`` had arrived."""
        return next(when for size, when in self.arrivals if size > position)

    @property
    def first_byte(self) -> float:
        return self.arrivals[0][1]

    @property
    def end(self) -> float:
        return self.arrivals[-1][1]


class RawConnection:
    def __init__(self, host: str, port: int, *, timeout: float, read_size: int = 65_536) -> None:
        self._host, self._port, self._timeout, self._read_size = host, port, timeout, read_size
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> RawConnection:
        self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError):
                await self._writer.wait_closed()

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> RawResponse:
        """``path`` with ``body`` and ``headers`` (host and content-length are added); each
        read may take ``timeout`` seconds."""
        assert self._reader is not None and self._writer is not None
        lines = [f"POST {path} HTTP/1.1", f"host: {self._host}:{self._port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"content-length: {len(body)}")
        buffer = bytearray()
        arrivals: list[tuple[int, float]] = []
        reader = self._reader

        async def more() -> None:
            async with asyncio.timeout(self._timeout):
                data = await reader.read(self._read_size)
            if not data:
                raise ConnectionError("the server closed the connection")
            buffer.extend(data)
            arrivals.append((len(buffer), time.perf_counter()))

        sent = time.perf_counter()
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        while (head_end := buffer.find(b"\r\n\r\n")) < 0:
            await more()
        head = bytes(buffer[:head_end]).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        fields = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in head[1:])}
        position = head_end + 4
        content = bytearray()
        if fields.get("transfer-encoding") == "chunked":
            while True:
                while (line_end := buffer.find(b"\r\n", position)) < 0:
                    await more()
                size = int(bytes(buffer[position:line_end]).split(b";")[0], 16)
                while len(buffer) < line_end + 2 + size + 2:
                    await more()
                content += buffer[line_end + 2 : line_end + 2 + size]
                position = line_end + 2 + size + 2
                if size == 0:
                    break
        else:
            length = int(fields.get("content-length", "0"))
            while len(buffer) < position + length:
                await more()
            content += buffer[position : position + length]
        return RawResponse(status, bytes(content), sent, bytes(buffer), head_end, arrivals)
