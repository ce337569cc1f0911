"""Rate limits on what comes from outside, counted in the shared store."""

from datetime import datetime, timedelta

import msgspec

from ragsell.application.errors import RateLimited
from ragsell.application.ports.metering import RateLimiter


class RateRule(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    limit: int
    window: timedelta


# Guessing one account's password from one address stops after a few tries; from many
# addresses, after more. The per-account limit is high so that strangers cannot lock an
# owner out of their own account from one machine.
LOGIN_PER_ACCOUNT_AND_IP = RateRule(name="login-account-ip", limit=10, window=timedelta(minutes=15))
LOGIN_PER_ACCOUNT = RateRule(name="login-account", limit=100, window=timedelta(minutes=15))
LOGIN_PER_IP = RateRule(name="login-ip", limit=50, window=timedelta(minutes=15))
PASSWORD_CHANGES_PER_OWNER = RateRule(name="password-owner", limit=10, window=timedelta(minutes=15))
SIGNUP_PER_IP = RateRule(name="signup-ip", limit=10, window=timedelta(hours=1))
MESSAGES_PER_VISITOR = RateRule(name="msg-visitor", limit=20, window=timedelta(minutes=1))
MESSAGES_PER_SITE = RateRule(name="msg-site", limit=600, window=timedelta(minutes=1))
CONVERSATIONS_PER_VISITOR = RateRule(name="conv-visitor", limit=20, window=timedelta(hours=1))
PAGE_VIEWS_PER_VISITOR = RateRule(name="view-visitor", limit=120, window=timedelta(minutes=1))
LEADS_PER_VISITOR = RateRule(name="lead-visitor", limit=5, window=timedelta(hours=1))
# Each recorded turn and each call costs the owner speech-service time.
VOICE_TURNS_PER_VISITOR = RateRule(name="voice-turn-visitor", limit=12, window=timedelta(minutes=1))
VOICE_CALLS_PER_VISITOR = RateRule(name="voice-call-visitor", limit=6, window=timedelta(hours=1))
FEEDBACK_PER_VISITOR = RateRule(name="feedback-visitor", limit=60, window=timedelta(minutes=1))
# Reset links: a few per address (the mailbox is someone's), more per client address.
RESET_REQUESTS_PER_EMAIL = RateRule(name="reset-email", limit=3, window=timedelta(hours=1))
RESET_REQUESTS_PER_IP = RateRule(name="reset-ip", limit=10, window=timedelta(hours=1))
RESETS_PER_IP = RateRule(name="reset-use-ip", limit=20, window=timedelta(hours=1))
# The owner's "try it" box: not metered on the plan, so bounded here.
ANSWER_TRIES_PER_OWNER = RateRule(name="try-owner", limit=30, window=timedelta(minutes=10))


class Throttle:
    def __init__(self, limiter: RateLimiter) -> None:
        self._limiter = limiter

    async def check(self, rule: RateRule, subject: str, now: datetime) -> None:
        decision = await self._limiter.hit(f"{rule.name}:{subject}", limit=rule.limit, window=rule.window, now=now)
        if not decision.allowed:
            raise RateLimited(
                "Too many requests; please wait a moment and try again.", retry_after=decision.retry_after_seconds
            )
