"""Whether visitors of a site may talk to its assistant."""

from datetime import timedelta

import msgspec

from ragsell.application.errors import VoiceOff
from ragsell.domain.sites import Site


class VoiceFeatures(msgspec.Struct, frozen=True, kw_only=True):
    """What this ragsell is configured for: recorded turns need the speech services, live
    calls a LiveKit server as well."""

    turns: bool
    calls: bool
    # A live call is closed after this long, whatever happens in it.
    call_limit: timedelta = timedelta(minutes=15)

    def offered(self, site: Site) -> bool:
        return self.turns and site.voice_enabled


def require_voice(features: VoiceFeatures, site: Site, *, call: bool = False) -> None:
    if not features.offered(site) or (call and not features.calls):
        raise VoiceOff("Voice is not available on this site; type your question instead.")
