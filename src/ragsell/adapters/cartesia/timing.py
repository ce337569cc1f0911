"""Time limits and retries of one call to Cartesia."""

from ragsell.adapters.stream_timing import StreamTimer
from ragsell.application.ports.voice import SpeechUnavailable


class Transient(Exception):
    """A failure worth another attempt (a dropped connection, 429, 5xx, a stall), as long
    as no audio of the failed attempt was passed on. The message completes "Cartesia ...".
    """


def speech_timer(*, deadline: float, stall_timeout: float) -> StreamTimer:
    """A deadline past is final; a stall may be retried."""
    return StreamTimer(
        deadline=deadline,
        stall_timeout=stall_timeout,
        late=lambda seconds: SpeechUnavailable(f"Cartesia did not finish speaking within {seconds:g} s."),
        stalled=lambda seconds: Transient(f"stalled: nothing came for {seconds:g} s"),
    )
