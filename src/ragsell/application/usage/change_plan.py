from ragsell.application.errors import NotFound
from ragsell.application.ports.repositories import OwnerRepository
from ragsell.domain.contact import normalize_email
from ragsell.domain.usage import PlanCatalogue


class ChangePlan:
    """An operator moves an owner to another plan (the admin command)."""

    def __init__(self, owners: OwnerRepository, plans: PlanCatalogue) -> None:
        self._owners = owners
        self._plans = plans

    async def __call__(self, email: str, plan_name: str) -> str:
        plan = self._plans.get(plan_name)
        owner = await self._owners.by_email(normalize_email(email))
        if owner is None:
            raise NotFound("No account has that email.")
        await self._owners.set_plan(owner.id, plan.name)
        return owner.id
