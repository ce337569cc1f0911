"""``ragsell voice-agent``: answers live voice calls in LiveKit rooms, from the site's
knowledge base, beside ``ragsell serve`` and on the same store.

This module imports nothing of LiveKit's agents framework, an optional extra
(``ragsell[voice-agent]``), so the command can say when it is missing.
"""

import importlib.util
import sys

from ragsell.entrypoints.settings import PREFIX, PROVIDER_VARIABLES, Settings, SettingsError, Store

_CALL_SETTINGS = ("deepgram_api_key", "cartesia_api_key", "livekit_url", "livekit_api_key", "livekit_api_secret")


def _listed(names: list[str]) -> str:
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]


def require_voice_calls(settings: Settings) -> None:
    """Raises SettingsError, saying what to set or install, unless this ragsell can answer live calls."""
    if not settings.voice_calls_available:
        ours = [f"{PREFIX}{field.upper()}" for field in _CALL_SETTINGS]
        providers = [variable for variable, field in PROVIDER_VARIABLES.items() if field in _CALL_SETTINGS]
        missing = [f"{PREFIX}{field.upper()}" for field in _CALL_SETTINGS if not getattr(settings, field)]
        raise SettingsError(
            f"the voice agent answers live calls with Deepgram, Cartesia and a LiveKit server: set "
            f"{_listed(ours)} (or the providers' own {_listed(providers)}); missing: {_listed(missing)}. "
            f"Give it the same store as `ragsell serve` (the same {PREFIX}DATA_DIR, or {PREFIX}MONGODB_URI)."
        )
    if settings.store is Store.MEMORY:
        raise SettingsError(
            f"the voice agent needs the store `ragsell serve` uses; {PREFIX}STORE=memory keeps "
            "each process's data to itself."
        )
    if importlib.util.find_spec("livekit.agents") is None:
        raise SettingsError("the voice agent needs LiveKit's agents framework: pip install 'ragsell[voice-agent]'.")


def answer_calls(settings: Settings, uri: str | None) -> int:
    """Runs the agent until SIGINT or SIGTERM; the exit status."""
    # Imported here, where it is needed: the framework is an optional extra.
    from ragsell.entrypoints.voice_agent.server import AgentServerStopped, serve

    try:
        serve(settings, uri)
    except AgentServerStopped as error:
        print(f"ragsell: {error}", file=sys.stderr)
        return 1
    return 0
