"""The seconds a live call is charged for, taken from the running totals LiveKit keeps
of the audio its speech services heard and spoke."""

from livekit.agents.metrics import AgentSessionUsage, STTModelUsage, TTSModelUsage

from ragsell.application.voice.voice_call import VoiceCall


class CallMeter:
    """Passes what each usage report adds to the call's metering."""

    def __init__(self, call: VoiceCall) -> None:
        self._call = call
        self._heard = 0.0
        self._spoken = 0.0

    async def count(self, usage: AgentSessionUsage) -> bool:
        """Returns False once the plan's voice seconds are used up; the call has closed its room then."""
        # Read before any await: reports counted one after the other never count the same audio twice.
        heard = sum(model.audio_duration for model in usage.model_usage if isinstance(model, STTModelUsage))
        spoken = sum(model.audio_duration for model in usage.model_usage if isinstance(model, TTSModelUsage))
        new_heard, new_spoken = max(heard - self._heard, 0.0), max(spoken - self._spoken, 0.0)
        self._heard, self._spoken = heard, spoken
        if not (new_heard or new_spoken):
            return True
        return await self._call.count(heard=new_heard, spoken=new_spoken)
