from ragsell.application.ports.mail import DeliveryFailed, Mailer, OutgoingEmail


class InMemoryMailer(Mailer):
    """Keeps what it is asked to send in ``outbox``; ``failing`` makes each send fail."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.outbox: list[OutgoingEmail] = []
        self.failing: DeliveryFailed | None = None

    async def send(self, email: OutgoingEmail) -> None:
        if not self.enabled:
            raise DeliveryFailed("No mail server is configured.", permanent=True)
        if self.failing is not None:
            raise self.failing
        self.outbox.append(email)
