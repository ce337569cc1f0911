"""Fixed rate-limit windows, shared by every RateLimiter adapter so they all agree
where a window starts and how long a refused caller should wait."""

import math
from datetime import datetime, timedelta


def window_start(now: datetime, window: timedelta) -> datetime:
    """Fixed windows aligned on the epoch, so every process agrees where one starts."""
    seconds = window.total_seconds()
    return datetime.fromtimestamp(math.floor(now.timestamp() / seconds) * seconds, tz=now.tzinfo)


def retry_after(now: datetime, start: datetime, window: timedelta) -> int:
    return max(1, math.ceil((start + window - now).total_seconds()))
