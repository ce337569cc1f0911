"""Raw 16-bit PCM arrives in chunks cut wherever the network cut them."""

from ragsell.domain.voice import SPEECH_SAMPLE_BYTES


class WholeSamples:
    """Cuts a stream of 16-bit PCM into pieces of whole samples: a byte left over at the
    end of a chunk is held until the next chunk brings the other half of its sample. A
    byte still held when the stream ends is half a sample, which cannot be played."""

    def __init__(self) -> None:
        self._held = b""

    def cut(self, chunk: bytes) -> bytes:
        data = self._held + chunk
        whole = len(data) - len(data) % SPEECH_SAMPLE_BYTES
        self._held = data[whole:]
        return data[:whole]
