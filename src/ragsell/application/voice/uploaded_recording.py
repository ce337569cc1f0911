from collections.abc import AsyncIterable, AsyncIterator

from ragsell.domain.errors import InvalidValue
from ragsell.domain.voice import check_recording_size


class UploadedRecording:
    """A recording while it is uploaded: passed on as it arrives, so it is heard during
    the upload, and kept (up to the size cap) in case it must be sent again whole."""

    def __init__(self, upload: AsyncIterable[bytes]) -> None:
        self._upload = aiter(upload)
        self._received = bytearray()

    async def begin(self) -> None:
        """Waits for the first audio; an empty recording is refused before anyone hears it."""
        async for piece in self._arriving():
            if piece:
                return
        raise InvalidValue("The recording is empty.")

    async def pieces(self) -> AsyncIterator[bytes]:
        """What arrived so far, then the rest as it arrives."""
        yield bytes(self._received)
        async for piece in self._arriving():
            yield piece

    async def whole(self) -> bytes:
        """All of it, once the upload has ended (also after ``pieces`` stopped part-way)."""
        async for _ in self._arriving():
            pass
        return bytes(self._received)

    async def _arriving(self) -> AsyncIterator[bytes]:
        # Reading ``_upload`` goes on where an earlier reader stopped.
        async for piece in self._upload:
            self._received += piece
            check_recording_size(len(self._received))
            yield piece
