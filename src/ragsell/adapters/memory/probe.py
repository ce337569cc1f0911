from ragsell.application.ports.system import StoreProbe


class InMemoryStoreProbe(StoreProbe):
    async def ping(self) -> bool:
        return True
