import secrets

from ragsell.application.ports.system import IdGenerator


class SecretsIdGenerator(IdGenerator):
    def new_id(self) -> str:
        return secrets.token_urlsafe(16)[:22]

    def secret_token(self) -> str:
        return secrets.token_urlsafe(32)
